using System;
using System.Linq;

public static class AnagramCheck
{
    /// <summary>True when both texts have the same letters with the same multiplicities, ignoring case and spaces.</summary>
    public static bool AreAnagrams(string first, string second)
    {
// codescale: completion
        Func<string, string> normalize = text =>
            new string(text.ToLowerInvariant().Where(c => c != ' ').OrderBy(c => c).ToArray());
        return normalize(first) == normalize(second);
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
        Check(AreAnagrams("listen", "silent"), "listen / silent");
        Check(AreAnagrams("Dormitory", "dirty room"), "Dormitory / dirty room");
        Check(!AreAnagrams("hello", "world"), "hello / world");
        Check(!AreAnagrams("aab", "abb"), "aab / abb");
        Check(AreAnagrams("", "  "), "empty / spaces");
    }
}
