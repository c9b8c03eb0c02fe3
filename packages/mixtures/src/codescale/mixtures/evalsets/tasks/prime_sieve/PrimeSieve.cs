using System;
using System.Collections.Generic;

public static class PrimeSieve
{
    /// <summary>Sieve of Eratosthenes: every prime p with 2 &lt;= p &lt;= limit.</summary>
    public static List<int> PrimesUpTo(int limit)
    {
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
    }

    public static void Main()
    {
        Console.WriteLine(string.Join(" ", PrimesUpTo(50)));
        Console.WriteLine($"primes below 1000: {PrimesUpTo(999).Count}");
    }
}
