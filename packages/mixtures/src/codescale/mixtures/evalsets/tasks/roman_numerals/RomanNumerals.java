public class RomanNumerals {
    private static final int[] VALUES = {1000, 900, 500, 400, 100, 90, 50, 40, 10, 9, 5, 4, 1};
    private static final String[] SYMBOLS = {"M", "CM", "D", "CD", "C", "XC", "L", "XL", "X", "IX", "V", "IV", "I"};

    static String toRoman(int number) {
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
    }

    public static void main(String[] args) {
        for (int year : new int[] {1994, 2024, 3999, 4}) {
            System.out.println(year + " = " + toRoman(year));
        }
    }
}
