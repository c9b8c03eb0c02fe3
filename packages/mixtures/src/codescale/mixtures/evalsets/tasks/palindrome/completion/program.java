public class Palindrome {
    /** True when text reads the same backwards, ignoring case and anything but letters and digits. */
    static boolean isPalindrome(String text) {
// codescale: completion
        int left = 0;
        int right = text.length() - 1;
        while (left < right) {
            char first = text.charAt(left);
            char last = text.charAt(right);
            if (!Character.isLetterOrDigit(first)) {
                left++;
            } else if (!Character.isLetterOrDigit(last)) {
                right--;
            } else if (Character.toLowerCase(first) != Character.toLowerCase(last)) {
                return false;
            } else {
                left++;
                right--;
            }
        }
        return true;
// codescale: tests
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    public static void main(String[] args) {
        check(isPalindrome("A man, a plan, a canal: Panama"), "Panama");
        check(!isPalindrome("race a car"), "race a car");
        check(isPalindrome("No lemon, no melon"), "melon");
        check(isPalindrome(""), "empty");
        check(!isPalindrome("ab"), "ab");
    }
}
