public class SumOfDigits {
    static int digitSum(long number) {
        int total = 0;
        for (long rest = Math.abs(number); rest > 0; rest /= 10) {
            total += (int) (rest % 10);
        }
        return total;
    }

    /** Repeat digitSum until a single digit is left. */
    static long digitalRoot(long number) {
        while (number >= 10) {
            number = digitSum(number);
        }
        return number;
    }

    public static void main(String[] args) {
        for (long number : new long[] {9875, 0, 123456789}) {
            System.out.printf("%d: sum %d, root %d%n", number, digitSum(number), digitalRoot(number));
        }
    }
}
