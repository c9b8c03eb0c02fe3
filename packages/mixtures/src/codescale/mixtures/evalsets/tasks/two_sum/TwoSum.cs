using System;
using System.Collections.Generic;

public static class TwoSum
{
    /// <summary>Indices i &lt; j with numbers[i] + numbers[j] == target, found in one pass with a hash map.</summary>
    public static bool TryFindPair(int[] numbers, int target, out int first, out int second)
    {
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
    }

    public static void Main()
    {
        var inputs = new[] { new[] { 2, 7, 11, 15 }, new[] { 3, 2, 4 }, new[] { 1, 2, 3 } };
        var targets = new[] { 9, 6, 7 };
        for (var k = 0; k < inputs.Length; k++)
        {
            var answer = TryFindPair(inputs[k], targets[k], out var i, out var j) ? $"{i} {j}" : "none";
            Console.WriteLine($"target {targets[k]}: {answer}");
        }
    }
}
