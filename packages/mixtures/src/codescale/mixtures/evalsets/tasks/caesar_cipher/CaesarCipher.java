public class CaesarCipher {
    /** Shift every ASCII letter by shift places, keeping case; other characters pass through. */
    static String caesar(String text, int shift) {
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
    }

    public static void main(String[] args) {
        String secret = caesar("Hello, World!", 3);
        System.out.println(secret);
        System.out.println(caesar(secret, -3));
        System.out.println(caesar("xyz ABC", 30));
    }
}
