using System;

public static class RotateArray
{
    /// <summary>A copy of values rotated steps places to the right (wrapping around).</summary>
    public static T[] RotateRight<T>(T[] values, int steps)
    {
        var rotated = new T[values.Length];
        if (values.Length == 0)
        {
            return rotated;
        }
        var shift = steps % values.Length;
        Array.Copy(values, values.Length - shift, rotated, 0, shift);
        Array.Copy(values, 0, rotated, shift, values.Length - shift);
        return rotated;
    }

    public static void Main()
    {
        int[] numbers = { 1, 2, 3, 4, 5, 6, 7 };
        foreach (var steps in new[] { 3, 10, 0 })
        {
            Console.WriteLine($"rotate by {steps}: {string.Join(" ", RotateRight(numbers, steps))}");
        }
    }
}
