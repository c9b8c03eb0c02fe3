using System;

public static class GcdLcm
{
    public static long Gcd(long a, long b)
    {
        while (b != 0)
        {
            var remainder = a % b;
            a = b;
            b = remainder;
        }
        return a;
    }

    public static long Lcm(long a, long b) => a / Gcd(a, b) * b;

    public static void Main()
    {
        var pairs = new[] { new long[] { 48, 18 }, new long[] { 17, 5 }, new long[] { 100, 75 } };
        foreach (var pair in pairs)
        {
            Console.WriteLine($"gcd({pair[0]}, {pair[1]}) = {Gcd(pair[0], pair[1])}, lcm = {Lcm(pair[0], pair[1])}");
        }
    }
}
