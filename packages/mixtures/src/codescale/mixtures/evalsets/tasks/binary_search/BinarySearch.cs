using System;

public static class BinarySearch
{
    /// <summary>Index of target in the ascending array items, or -1.</summary>
    public static int IndexOf(int[] items, int target)
    {
        int low = 0, high = items.Length - 1;
        while (low <= high)
        {
            var mid = low + (high - low) / 2;
            if (items[mid] == target)
            {
                return mid;
            }
            if (items[mid] < target)
            {
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }
        return -1;
    }

    public static void Main()
    {
        int[] primes = { 2, 3, 5, 7, 11, 13, 17, 19, 23 };
        foreach (var target in new[] { 7, 2, 23, 4 })
        {
            Console.WriteLine($"{target} -> {IndexOf(primes, target)}");
        }
    }
}
