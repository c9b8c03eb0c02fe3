using System;
using System.Linq;

public static class CountVowels
{
    /// <summary>How many characters of text are vowels (a, e, i, o, u), in either case.</summary>
    public static int Count(string text)
    {
// codescale: completion
        return text.Count(c => "aeiouAEIOU".IndexOf(c) >= 0);
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
        Check(Count("Programming Language") == 7, "Programming Language");
        Check(Count("rhythm") == 0, "rhythm");
        Check(Count("AEIOU aeiou") == 10, "AEIOU aeiou");
        Check(Count("") == 0, "empty");
    }
}
