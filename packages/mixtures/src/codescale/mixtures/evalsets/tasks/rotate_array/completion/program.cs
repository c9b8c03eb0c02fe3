using System;
using System.Linq;

public static class RotateArray
{
    /// <summary>A copy of values rotated steps places to the right, wrapping around (steps may exceed the length).</summary>
    public static int[] RotateRight(int[] values, int steps)
    {
// codescale: completion
        var rotated = new int[values.Length];
        if (values.Length == 0)
        {
            return rotated;
        }
        var shift = steps % values.Length;
        Array.Copy(values, values.Length - shift, rotated, 0, shift);
        Array.Copy(values, 0, rotated, shift, values.Length - shift);
        return rotated;
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
        int[] numbers = { 1, 2, 3, 4, 5, 6, 7 };
        Check(RotateRight(numbers, 3).SequenceEqual(new[] { 5, 6, 7, 1, 2, 3, 4 }), "3");
        Check(RotateRight(numbers, 10).SequenceEqual(new[] { 5, 6, 7, 1, 2, 3, 4 }), "10");
        Check(RotateRight(numbers, 0).SequenceEqual(numbers), "0");
        Check(RotateRight(new int[0], 4).Length == 0, "empty");
        Check(numbers.SequenceEqual(new[] { 1, 2, 3, 4, 5, 6, 7 }), "input unchanged");
    }
}
