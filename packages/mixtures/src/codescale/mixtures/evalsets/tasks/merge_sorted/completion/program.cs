using System;
using System.Collections.Generic;
using System.Linq;

public static class MergeSorted
{
    /// <summary>Merge two ascending lists into one ascending list holding every element of both.</summary>
    public static List<int> Merge(IReadOnlyList<int> left, IReadOnlyList<int> right)
    {
// codescale: completion
        var merged = new List<int>(left.Count + right.Count);
        int i = 0, j = 0;
        while (i < left.Count && j < right.Count)
        {
            merged.Add(left[i] <= right[j] ? left[i++] : right[j++]);
        }
        for (; i < left.Count; i++)
        {
            merged.Add(left[i]);
        }
        for (; j < right.Count; j++)
        {
            merged.Add(right[j]);
        }
        return merged;
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
        Check(Merge(new[] { 1, 4, 7, 10 }, new[] { 2, 3, 8, 12, 15 }).SequenceEqual(new[] { 1, 2, 3, 4, 7, 8, 10, 12, 15 }), "two lists");
        Check(Merge(new int[0], new[] { 5, 6 }).SequenceEqual(new[] { 5, 6 }), "left empty");
        Check(Merge(new[] { 1, 1 }, new[] { 1 }).SequenceEqual(new[] { 1, 1, 1 }), "equal elements");
        Check(Merge(new int[0], new int[0]).Count == 0, "both empty");
    }
}
