import java.util.ArrayList;
import java.util.List;

public class FizzBuzz {
    /**
     * The words for 1..n: multiples of 15 become "FizzBuzz", other multiples of 3 "Fizz", other multiples of 5
     * "Buzz", and every other number is written in digits.
     */
    static List<String> fizzBuzz(int n) {
// codescale: completion
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
// codescale: tests
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    public static void main(String[] args) {
        check(String.join(" ", fizzBuzz(15)).equals("1 2 Fizz 4 Buzz Fizz 7 8 Fizz Buzz 11 Fizz 13 14 FizzBuzz"), "15");
        check(fizzBuzz(1).equals(List.of("1")), "1");
        check(fizzBuzz(0).isEmpty(), "0");
        check(fizzBuzz(30).get(29).equals("FizzBuzz"), "30");
    }
}
