import java.util.Arrays;

public class AnagramCheck {
    /** True when both texts have the same letters with the same multiplicities, ignoring case and spaces. */
    static boolean areAnagrams(String first, String second) {
// codescale: completion
        char[] a = first.toLowerCase().replace(" ", "").toCharArray();
        char[] b = second.toLowerCase().replace(" ", "").toCharArray();
        Arrays.sort(a);
        Arrays.sort(b);
        return Arrays.equals(a, b);
// codescale: tests
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    public static void main(String[] args) {
        check(areAnagrams("listen", "silent"), "listen / silent");
        check(areAnagrams("Dormitory", "dirty room"), "Dormitory / dirty room");
        check(!areAnagrams("hello", "world"), "hello / world");
        check(!areAnagrams("aab", "abb"), "aab / abb");
        check(areAnagrams("", "  "), "empty / spaces");
    }
}
