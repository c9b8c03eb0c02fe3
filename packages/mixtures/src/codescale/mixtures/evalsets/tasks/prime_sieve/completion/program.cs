using System;
using System.Collections.Generic;

public static class PrimeSieve
{
    /// <summary>Sieve of Eratosthenes: every prime p with 2 &lt;= p &lt;= limit, ascending.</summary>
    public static List<int> PrimesUpTo(int limit)
    {
// codescale: completion
        var primes = new List<int>();
        var composite = new bool[Math.Max(limit + 1, 0)];
        for (var p = 2; p <= limit; p++)
        {
            if (composite[p])
            {
                continue;
            }
            primes.Add(p);
            for (var multiple = (long)p * p; multiple <= limit; multiple += p)
            {
                composite[multiple] = true;
            }
        }
        return primes;
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
        Check(string.Join(" ", PrimesUpTo(50)) == "2 3 5 7 11 13 17 19 23 29 31 37 41 43 47", "50");
        Check(PrimesUpTo(999).Count == 168, "999");
        Check(PrimesUpTo(1).Count == 0, "1");
        Check(string.Join(" ", PrimesUpTo(2)) == "2", "2");
    }
}
