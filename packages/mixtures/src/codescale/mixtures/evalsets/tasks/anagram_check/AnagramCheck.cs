using System;
using System.Linq;

public static class AnagramCheck
{
    /// <summary>Same letters with the same multiplicities, ignoring case and spaces.</summary>
    public static bool AreAnagrams(string first, string second)
    {
        Func<string, string> normalize = text =>
            new string(text.ToLowerInvariant().Where(c => c != ' ').OrderBy(c => c).ToArray());
        return normalize(first) == normalize(second);
    }

    public static void Main()
    {
        var pairs = new[] { Tuple.Create("listen", "silent"), Tuple.Create("Dormitory", "dirty room"), Tuple.Create("hello", "world") };
        foreach (var pair in pairs)
        {
            var verdict = AreAnagrams(pair.Item1, pair.Item2) ? "yes" : "no";
            Console.WriteLine($"{pair.Item1} / {pair.Item2}: {verdict}");
        }
    }
}
