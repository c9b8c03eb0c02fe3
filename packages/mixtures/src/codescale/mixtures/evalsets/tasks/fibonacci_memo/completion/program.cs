using System;
using System.Collections.Generic;

public static class FibonacciMemo
{
    private static readonly Dictionary<int, long> Memo = new Dictionary<int, long> { [0] = 0, [1] = 1 };

    /// <summary>
    /// The n-th Fibonacci number (Fibonacci(0) = 0, Fibonacci(1) = 1), remembering every value already computed in
    /// Memo so that large n stay fast.
    /// </summary>
    public static long Fibonacci(int n)
    {
// codescale: completion
        if (!Memo.TryGetValue(n, out var value))
        {
            value = Fibonacci(n - 1) + Fibonacci(n - 2);
            Memo[n] = value;
        }
        return value;
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
        Check(Fibonacci(0) == 0L, "fib(0)");
        Check(Fibonacci(1) == 1L, "fib(1)");
        Check(Fibonacci(10) == 55L, "fib(10)");
        Check(Fibonacci(30) == 832040L, "fib(30)");
        Check(Fibonacci(50) == 12586269025L, "fib(50)");
        Check(Fibonacci(90) == 2880067194370816120L, "fib(90)");
    }
}
