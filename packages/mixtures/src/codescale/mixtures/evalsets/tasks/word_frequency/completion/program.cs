using System;
using System.Collections.Generic;
using System.Linq;

public static class WordFrequency
{
    /// <summary>
    /// The k most frequent words of text (split on spaces, lower-cased) with their counts, most frequent first, ties
    /// broken alphabetically (ordinal).
    /// </summary>
    public static IEnumerable<KeyValuePair<string, int>> TopWords(string text, int k)
    {
// codescale: completion
        var counts = new Dictionary<string, int>();
        foreach (var word in text.ToLowerInvariant().Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries))
        {
            counts.TryGetValue(word, out var seen);
            counts[word] = seen + 1;
        }
        return counts.OrderByDescending(pair => pair.Value).ThenBy(pair => pair.Key, StringComparer.Ordinal).Take(k);
// codescale: tests
    }

    private static void Check(bool ok, string what)
    {
        if (!ok)
        {
            throw new Exception("check failed: " + what);
        }
    }

    private static string Render(IEnumerable<KeyValuePair<string, int>> pairs)
    {
        return string.Join(" ", pairs.Select(pair => pair.Key + "=" + pair.Value));
    }

    public static void Main()
    {
        var text = "The quick brown fox jumps over the lazy dog the fox saw the end";
        Check(Render(TopWords(text, 3)) == "the=4 fox=2 brown=1", "sentence");
        Check(Render(TopWords("b a c a b a", 2)) == "a=3 b=2", "ties");
        Check(Render(TopWords("one", 5)) == "one=1", "k larger than the vocabulary");
    }
}
