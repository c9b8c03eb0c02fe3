public class ReverseString {
    /** The characters of text in reverse order. */
    static String reverse(String text) {
// codescale: completion
        return new StringBuilder(text).reverse().toString();
// codescale: tests
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    public static void main(String[] args) {
        check(reverse("stressed").equals("desserts"), "stressed");
        check(reverse("hello, world").equals("dlrow ,olleh"), "hello, world");
        check(reverse("a").equals("a"), "a");
        check(reverse("").equals(""), "empty");
    }
}
