using System;

public static class MaxSubarray
{
    /// <summary>
    /// Largest sum of a non-empty contiguous run of values (Kadane's algorithm); ArgumentException when values is
    /// empty.
    /// </summary>
    public static int MaxSubarraySum(int[] values)
    {
// codescale: completion
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
        Check(MaxSubarraySum(new[] { -2, 1, -3, 4, -1, 2, 1, -5, 4 }) == 6, "mixed");
        Check(MaxSubarraySum(new[] { -3, -1, -2 }) == -1, "all negative");
        Check(MaxSubarraySum(new[] { 5 }) == 5, "one");
        Check(MaxSubarraySum(new[] { 2, -1, 2 }) == 3, "dip");
        var refused = false;
        try
        {
            MaxSubarraySum(new int[0]);
        }
        catch (ArgumentException)
        {
            refused = true;
        }
        Check(refused, "empty must throw");
    }
}
