public class SumOfDigits {
    static int digitSum(long number) {
        int total = 0;
        for (long rest = Math.abs(number); rest > 0; rest /= 10) {
            total += (int) (rest % 10);
        }
        return total;
    }

    /** Repeat digitSum on the non-negative number until a single digit is left. */
    static long digitalRoot(long number) {
// codescale: completion
        while (number >= 10) {
            number = digitSum(number);
        }
        return number;
// codescale: tests
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    public static void main(String[] args) {
        check(digitalRoot(9875) == 2, "9875");
        check(digitalRoot(0) == 0, "0");
        check(digitalRoot(123456789) == 9, "123456789");
        check(digitalRoot(7) == 7, "7");
        check(digitSum(9875) == 29, "digitSum");
    }
}
