public class GcdLcm {
    /** Greatest common divisor of the non-negative integers a and b, by Euclid's algorithm (gcd(a, 0) = a). */
    static long gcd(long a, long b) {
// codescale: completion
        while (b != 0) {
            long remainder = a % b;
            a = b;
            b = remainder;
        }
        return a;
// codescale: tests
    }

    static long lcm(long a, long b) {
        return a / gcd(a, b) * b;
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    public static void main(String[] args) {
        check(gcd(48, 18) == 6, "gcd(48, 18)");
        check(gcd(17, 5) == 1, "gcd(17, 5)");
        check(gcd(100, 75) == 25, "gcd(100, 75)");
        check(gcd(7, 0) == 7, "gcd(7, 0)");
        check(lcm(48, 18) == 144, "lcm(48, 18)");
        check(lcm(17, 5) == 85, "lcm(17, 5)");
        check(lcm(100, 75) == 300, "lcm(100, 75)");
    }
}
