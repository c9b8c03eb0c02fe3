public class CountVowels {
    static long countVowels(String text) {
        return text.toLowerCase().chars().filter(c -> "aeiou".indexOf(c) >= 0).count();
    }

    public static void main(String[] args) {
        for (String text : new String[] {"Programming Language", "rhythm", "AEIOU aeiou"}) {
            System.out.println(text + ": " + countVowels(text));
        }
    }
}
