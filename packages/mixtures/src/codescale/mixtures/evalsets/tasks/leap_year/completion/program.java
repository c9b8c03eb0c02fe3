public class LeapYear {
    /** Gregorian rule: every fourth year is a leap year, except centuries not divisible by 400. */
    static boolean isLeapYear(int year) {
// codescale: completion
        return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
// codescale: tests
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    public static void main(String[] args) {
        check(!isLeapYear(1900), "1900");
        check(isLeapYear(2000), "2000");
        check(!isLeapYear(2023), "2023");
        check(isLeapYear(2024), "2024");
        check(!isLeapYear(2100), "2100");
    }
}
