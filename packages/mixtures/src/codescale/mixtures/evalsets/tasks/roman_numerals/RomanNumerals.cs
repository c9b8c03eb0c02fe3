using System;
using System.Text;

public static class RomanNumerals
{
    private static readonly int[] Values = { 1000, 900, 500, 400, 100, 90, 50, 40, 10, 9, 5, 4, 1 };
    private static readonly string[] Symbols = { "M", "CM", "D", "CD", "C", "XC", "L", "XL", "X", "IX", "V", "IV", "I" };

    public static string ToRoman(int number)
    {
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
    }

    public static void Main()
    {
        foreach (var year in new[] { 1994, 2024, 3999, 4 })
        {
            Console.WriteLine($"{year} = {ToRoman(year)}");
        }
    }
}
