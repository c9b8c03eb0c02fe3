using System;
using System.Collections.Generic;

public static class TwoSum
{
    /// <summary>
    /// Indices first &lt; second with numbers[first] + numbers[second] == target (the first such second, then its
    /// partner), found in one pass with a hash map; false (and -1, -1) when no pair adds up.
    /// </summary>
    public static bool TryFindPair(int[] numbers, int target, out int first, out int second)
    {
// codescale: completion
        var seen = new Dictionary<int, int>();
        for (var i = 0; i < numbers.Length; i++)
        {
            if (seen.TryGetValue(target - numbers[i], out first))
            {
                second = i;
                return true;
            }
            seen[numbers[i]] = i;
        }
        first = second = -1;
        return false;
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
        Check(TryFindPair(new[] { 2, 7, 11, 15 }, 9, out var a, out var b) && a == 0 && b == 1, "9");
        Check(TryFindPair(new[] { 3, 2, 4 }, 6, out a, out b) && a == 1 && b == 2, "6");
        Check(!TryFindPair(new[] { 1, 2, 3 }, 7, out a, out b), "none");
        Check(TryFindPair(new[] { 3, 3 }, 6, out a, out b) && a == 0 && b == 1, "equal numbers");
    }
}
