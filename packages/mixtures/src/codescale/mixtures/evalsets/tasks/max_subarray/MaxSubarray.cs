using System;

public static class MaxSubarray
{
    /// <summary>Largest sum of a non-empty contiguous run (Kadane's algorithm).</summary>
    public static int MaxSubarraySum(int[] values)
    {
        if (values.Length == 0)
        {
            throw new ArgumentException("MaxSubarraySum needs at least one value", nameof(values));
        }
        int best = values[0], current = values[0];
        for (var i = 1; i < values.Length; i++)
        {
            current = Math.Max(values[i], current + values[i]);
            best = Math.Max(best, current);
        }
        return best;
    }

    public static void Main()
    {
        var inputs = new[] { new[] { -2, 1, -3, 4, -1, 2, 1, -5, 4 }, new[] { -3, -1, -2 }, new[] { 5 } };
        foreach (var values in inputs)
        {
            Console.WriteLine($"[{string.Join(", ", values)}] -> {MaxSubarraySum(values)}");
        }
    }
}
