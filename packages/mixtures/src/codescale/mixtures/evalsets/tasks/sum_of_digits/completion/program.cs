using System;

public static class SumOfDigits
{
    public static int DigitSum(long number)
    {
        var total = 0;
        for (var rest = Math.Abs(number); rest > 0; rest /= 10)
        {
            total += (int)(rest % 10);
        }
        return total;
    }

    /// <summary>Repeat DigitSum on the non-negative number until a single digit is left.</summary>
    public static long DigitalRoot(long number)
    {
// codescale: completion
        while (number >= 10)
        {
            number = DigitSum(number);
        }
        return number;
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
        Check(DigitalRoot(9875) == 2, "9875");
        Check(DigitalRoot(0) == 0, "0");
        Check(DigitalRoot(123456789) == 9, "123456789");
        Check(DigitalRoot(7) == 7, "7");
        Check(DigitSum(9875) == 29, "DigitSum");
    }
}
