public class Palindrome {
    /** True when text reads the same backwards, ignoring case and anything but letters and digits. */
    static boolean isPalindrome(String text) {
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
    }

    public static void main(String[] args) {
        String[] phrases = {"A man, a plan, a canal: Panama", "race a car", "No lemon, no melon"};
        for (String phrase : phrases) {
            System.out.println(phrase + ": " + (isPalindrome(phrase) ? "yes" : "no"));
        }
    }
}
