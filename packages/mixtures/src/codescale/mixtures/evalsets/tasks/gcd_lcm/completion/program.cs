using System;

public static class GcdLcm
{
    /// <summary>Greatest common divisor of the non-negative integers a and b, by Euclid's algorithm (Gcd(a, 0) = a).</summary>
    public static long Gcd(long a, long b)
    {
// codescale: completion
        while (b != 0)
        {
            var remainder = a % b;
            a = b;
            b = remainder;
        }
        return a;
// codescale: tests
    }

    public static long Lcm(long a, long b) => a / Gcd(a, b) * b;

    private static void Check(bool ok, string what)
    {
        if (!ok)
        {
            throw new Exception("check failed: " + what);
        }
    }

    public static void Main()
    {
        Check(Gcd(48, 18) == 6, "Gcd(48, 18)");
        Check(Gcd(17, 5) == 1, "Gcd(17, 5)");
        Check(Gcd(100, 75) == 25, "Gcd(100, 75)");
        Check(Gcd(7, 0) == 7, "Gcd(7, 0)");
        Check(Lcm(48, 18) == 144, "Lcm(48, 18)");
        Check(Lcm(17, 5) == 85, "Lcm(17, 5)");
        Check(Lcm(100, 75) == 300, "Lcm(100, 75)");
    }
}
