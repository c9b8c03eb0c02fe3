import java.util.ArrayList;
import java.util.List;

public class FizzBuzz {
    static List<String> fizzBuzz(int n) {
        List<String> words = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            if (i % 15 == 0) {
                words.add("FizzBuzz");
            } else if (i % 3 == 0) {
                words.add("Fizz");
            } else if (i % 5 == 0) {
                words.add("Buzz");
            } else {
                words.add(Integer.toString(i));
            }
        }
        return words;
    }

    public static void main(String[] args) {
        System.out.println(String.join(" ", fizzBuzz(15)));
    }
}
