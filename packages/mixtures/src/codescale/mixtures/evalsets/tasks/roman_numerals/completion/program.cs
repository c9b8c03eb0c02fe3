using System;
using System.Text;

public static class RomanNumerals
{
    private static readonly int[] Values = { 1000, 900, 500, 400, 100, 90, 50, 40, 10, 9, 5, 4, 1 };
    private static readonly string[] Symbols = { "M", "CM", "D", "CD", "C", "XC", "L", "XL", "X", "IX", "V", "IV", "I" };

    /// <summary>
    /// number (1 to 3999) in roman numerals, using the subtractive forms (IV, IX, XL, ...);
    /// ArgumentOutOfRangeException outside that range.
    /// </summary>
    public static string ToRoman(int number)
    {
// codescale: completion
        if (number <= 0 || number >= 4000)
        {
            throw new ArgumentOutOfRangeException(nameof(number), $"{number} cannot be written in roman numerals");
        }
        var roman = new StringBuilder();
        for (var i = 0; i < Values.Length; i++)
        {
            for (; number >= Values[i]; number -= Values[i])
            {
                roman.Append(Symbols[i]);
            }
        }
        return roman.ToString();
// codescale: tests
    }

    private static void Check(bool ok, string what)
    {
        if (!ok)
        {
            throw new Exception("check failed: " + what);
        }
    }

    public static void Main()
    {
        Check(ToRoman(1994) == "MCMXCIV", "1994");
        Check(ToRoman(2024) == "MMXXIV", "2024");
        Check(ToRoman(3999) == "MMMCMXCIX", "3999");
        Check(ToRoman(4) == "IV", "4");
        var refused = false;
        try
        {
            ToRoman(0);
        }
        catch (ArgumentOutOfRangeException)
        {
            refused = true;
        }
        Check(refused, "0 must throw");
    }
}
