public class RunLengthEncoding {
    /** Run-length encoding: every run of one character becomes its length followed by the character. */
    static String encode(String text) {
// codescale: completion
        StringBuilder encoded = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            char current = text.charAt(i);
            int runEnd = i;
            while (runEnd < text.length() && text.charAt(runEnd) == current) {
                runEnd++;
            }
            encoded.append(runEnd - i).append(current);
            i = runEnd;
        }
        return encoded.toString();
// codescale: tests
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    public static void main(String[] args) {
        check(encode("aaabccdddd").equals("3a1b2c4d"), "aaabccdddd");
        check(encode("wwwwwwwwwwwwb").equals("12w1b"), "wwwwwwwwwwwwb");
        check(encode("xyz").equals("1x1y1z"), "xyz");
        check(encode("").equals(""), "empty");
    }
}
