using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;

public static class FlattenLists
{
    /// <summary>All non-list items of an arbitrarily nested list, left to right.</summary>
    public static IEnumerable<int> Flatten(IEnumerable nested)
    {
// codescale: completion
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
        var nested = new object[] { 1, new object[] { 2, 3 }, new object[0], new object[] { 4, new object[] { 5, new object[] { 6 } } }, 7 };
        Check(Flatten(nested).SequenceEqual(new[] { 1, 2, 3, 4, 5, 6, 7 }), "nested");
        Check(!Flatten(new object[0]).Any(), "empty");
        Check(!Flatten(new object[] { new object[] { new object[0] } }).Any(), "only lists");
    }
}
