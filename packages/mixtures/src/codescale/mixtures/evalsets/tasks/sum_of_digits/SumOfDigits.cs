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

    /// <summary>Repeat DigitSum until a single digit is left.</summary>
    public static long DigitalRoot(long number)
    {
        while (number >= 10)
        {
            number = DigitSum(number);
        }
        return number;
    }

    public static void Main()
    {
        foreach (var number in new long[] { 9875, 0, 123456789 })
        {
            Console.WriteLine($"{number}: sum {DigitSum(number)}, root {DigitalRoot(number)}");
        }
    }
}
