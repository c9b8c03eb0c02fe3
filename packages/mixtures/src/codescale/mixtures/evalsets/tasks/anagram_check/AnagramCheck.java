import java.util.Arrays;

public class AnagramCheck {
    /** Same letters with the same multiplicities, ignoring case and spaces. */
    static boolean areAnagrams(String first, String second) {
        return Arrays.equals(sortedLetters(first), sortedLetters(second));
    }

    private static char[] sortedLetters(String text) {
        char[] letters = text.toLowerCase().replace(" ", "").toCharArray();
        Arrays.sort(letters);
        return letters;
    }

    public static void main(String[] args) {
        String[][] pairs = {{"listen", "silent"}, {"Dormitory", "dirty room"}, {"hello", "world"}};
        for (String[] pair : pairs) {
            System.out.println(pair[0] + " / " + pair[1] + ": " + (areAnagrams(pair[0], pair[1]) ? "yes" : "no"));
        }
    }
}
