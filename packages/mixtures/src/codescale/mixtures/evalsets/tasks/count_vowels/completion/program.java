public class CountVowels {
    /** How many characters of text are vowels (a, e, i, o, u), in either case. */
    static long countVowels(String text) {
// codescale: completion
        return text.toLowerCase().chars().filter(c -> "aeiou".indexOf(c) >= 0).count();
// codescale: tests
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    public static void main(String[] args) {
        check(countVowels("Programming Language") == 7, "Programming Language");
        check(countVowels("rhythm") == 0, "rhythm");
        check(countVowels("AEIOU aeiou") == 10, "AEIOU aeiou");
        check(countVowels("") == 0, "empty");
    }
}
