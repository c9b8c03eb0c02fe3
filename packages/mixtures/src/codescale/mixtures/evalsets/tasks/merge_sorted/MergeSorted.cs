using System;
using System.Collections.Generic;

public static class MergeSorted
{
    /// <summary>Merge two ascending lists into one ascending list.</summary>
    public static List<int> Merge(IReadOnlyList<int> left, IReadOnlyList<int> right)
    {
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
    }

    public static void Main()
    {
        Console.WriteLine(string.Join(" ", Merge(new[] { 1, 4, 7, 10 }, new[] { 2, 3, 8, 12, 15 })));
        Console.WriteLine(string.Join(" ", Merge(new int[0], new[] { 5, 6 })));
    }
}
