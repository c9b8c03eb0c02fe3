using System;

public static class BinarySearch
{
    /// <summary>Index of target in the ascending array items, or -1 when it is absent.</summary>
    public static int IndexOf(int[] items, int target)
    {
// codescale: completion
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
        int[] primes = { 2, 3, 5, 7, 11, 13, 17, 19, 23 };
        Check(IndexOf(primes, 7) == 3, "7");
        Check(IndexOf(primes, 2) == 0, "2");
        Check(IndexOf(primes, 23) == 8, "23");
        Check(IndexOf(primes, 4) == -1, "4");
        Check(IndexOf(new int[0], 1) == -1, "empty");
    }
}
