using System;
using System.Collections;
using System.Collections.Generic;

public static class FlattenLists
{
    /// <summary>All non-list items of an arbitrarily nested list, left to right.</summary>
    public static IEnumerable<int> Flatten(IEnumerable nested)
    {
        foreach (var item in nested)
        {
            if (item is IEnumerable inner)
            {
                foreach (var value in Flatten(inner))
                {
                    yield return value;
                }
            }
            else
            {
                yield return (int)item;
            }
        }
    }

    public static void Main()
    {
        var nested = new object[] { 1, new object[] { 2, 3 }, new object[0], new object[] { 4, new object[] { 5, new object[] { 6 } } }, 7 };
        Console.WriteLine($"[{string.Join(", ", Flatten(nested))}]");
    }
}
