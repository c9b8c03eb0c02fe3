using System;

public static class LeapYear
{
    /// <summary>Gregorian rule: every fourth year, except centuries not divisible by 400.</summary>
    public static bool IsLeapYear(int year) => year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);

    public static void Main()
    {
        foreach (var year in new[] { 1900, 2000, 2023, 2024 })
        {
            Console.WriteLine($"{year}: {(IsLeapYear(year) ? "leap" : "common")}");
        }
    }
}
