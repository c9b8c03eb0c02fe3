using System;
using System.Collections.Generic;

public static class FibonacciMemo
{
    private static readonly Dictionary<int, long> Memo = new Dictionary<int, long> { [0] = 0, [1] = 1 };

    /// <summary>The n-th Fibonacci number, remembering every value already computed.</summary>
    public static long Fibonacci(int n)
    {
        if (!Memo.TryGetValue(n, out var value))
        {
            value = Fibonacci(n - 1) + Fibonacci(n - 2);
            Memo[n] = value;
        }
        return value;
    }

    public static void Main()
    {
        foreach (var n in new[] { 10, 30, 50 })
        {
            Console.WriteLine($"fib({n}) = {Fibonacci(n)}");
        }
    }
}
