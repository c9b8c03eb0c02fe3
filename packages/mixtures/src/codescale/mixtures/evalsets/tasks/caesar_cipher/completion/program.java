public class CaesarCipher {
    /**
     * Shift every ASCII letter of text by shift places (negative: backwards), keeping its case; other characters
     * pass through unchanged.
     */
    static String caesar(String text, int shift) {
// codescale: completion
        StringBuilder shifted = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            if (c >= 'a' && c <= 'z') {
                shifted.append((char) ('a' + Math.floorMod(c - 'a' + shift, 26)));
            } else if (c >= 'A' && c <= 'Z') {
                shifted.append((char) ('A' + Math.floorMod(c - 'A' + shift, 26)));
            } else {
                shifted.append(c);
            }
        }
        return shifted.toString();
// codescale: tests
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    public static void main(String[] args) {
        check(caesar("Hello, World!", 3).equals("Khoor, Zruog!"), "shift 3");
        check(caesar("Khoor, Zruog!", -3).equals("Hello, World!"), "shift -3");
        check(caesar("xyz ABC", 30).equals("bcd EFG"), "shift 30");
        check(caesar("", 5).equals(""), "empty");
    }
}
