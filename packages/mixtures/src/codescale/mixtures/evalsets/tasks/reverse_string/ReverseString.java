public class ReverseString {
    static String reverse(String text) {
        return new StringBuilder(text).reverse().toString();
    }

    public static void main(String[] args) {
        for (String word : new String[] {"stressed", "hello, world", "a"}) {
            System.out.println(word + " -> " + reverse(word));
        }
    }
}
