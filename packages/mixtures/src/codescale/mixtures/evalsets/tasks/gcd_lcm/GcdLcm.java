public class GcdLcm {
    static long gcd(long a, long b) {
        while (b != 0) {
            long remainder = a % b;
            a = b;
            b = remainder;
        }
        return a;
    }

    static long lcm(long a, long b) {
        return a / gcd(a, b) * b;
    }

    public static void main(String[] args) {
        long[][] pairs = {{48, 18}, {17, 5}, {100, 75}};
        for (long[] pair : pairs) {
            System.out.printf("gcd(%d, %d) = %d, lcm = %d%n", pair[0], pair[1], gcd(pair[0], pair[1]), lcm(pair[0], pair[1]));
        }
    }
}
