public class LeapYear {
    /** Gregorian rule: every fourth year, except centuries not divisible by 400. */
    static boolean isLeapYear(int year) {
        return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    }

    public static void main(String[] args) {
        for (int year : new int[] {1900, 2000, 2023, 2024}) {
            System.out.println(year + ": " + (isLeapYear(year) ? "leap" : "common"));
        }
    }
}
