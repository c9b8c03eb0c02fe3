using System;

public static class LeapYear
{
    /// <summary>Gregorian rule: every fourth year is a leap year, except centuries not divisible by 400.</summary>
    public static bool IsLeapYear(int year)
    {
// codescale: completion
        return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
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
        Check(!IsLeapYear(1900), "1900");
        Check(IsLeapYear(2000), "2000");
        Check(!IsLeapYear(2023), "2023");
        Check(IsLeapYear(2024), "2024");
        Check(!IsLeapYear(2100), "2100");
    }
}
