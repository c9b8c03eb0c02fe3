public class RomanNumerals {
    private static final int[] VALUES = {1000, 900, 500, 400, 100, 90, 50, 40, 10, 9, 5, 4, 1};
    private static final String[] SYMBOLS = {"M", "CM", "D", "CD", "C", "XC", "L", "XL", "X", "IX", "V", "IV", "I"};

    /**
     * number (1 to 3999) in roman numerals, using the subtractive forms (IV, IX, XL, ...); IllegalArgumentException
     * outside that range.
     */
    static String toRoman(int number) {
// codescale: completion
        if (number <= 0 || number >= 4000) {
            throw new IllegalArgumentException(number + " cannot be written in roman numerals");
        }
        StringBuilder roman = new StringBuilder();
        for (int i = 0; i < VALUES.length; i++) {
            while (number >= VALUES[i]) {
                roman.append(SYMBOLS[i]);
                number -= VALUES[i];
            }
        }
        return roman.toString();
// codescale: tests
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    public static void main(String[] args) {
        check(toRoman(1994).equals("MCMXCIV"), "1994");
        check(toRoman(2024).equals("MMXXIV"), "2024");
        check(toRoman(3999).equals("MMMCMXCIX"), "3999");
        check(toRoman(4).equals("IV"), "4");
        boolean refused = false;
        try {
            toRoman(0);
        } catch (IllegalArgumentException expected) {
            refused = true;
        }
        check(refused, "0 must throw");
    }
}
