using System;
using System.Collections.Generic;
using System.Linq;

public static class WordFrequency
{
    /// <summary>The k most frequent words of text (lower-cased), ties broken alphabetically.</summary>
    public static IEnumerable<KeyValuePair<string, int>> TopWords(string text, int k)
    {
        var counts = new Dictionary<string, int>();
        foreach (var word in text.ToLowerInvariant().Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries))
        {
            counts.TryGetValue(word, out var seen);
            counts[word] = seen + 1;
        }
        return counts.OrderByDescending(pair => pair.Value).ThenBy(pair => pair.Key, StringComparer.Ordinal).Take(k);
    }

    public static void Main()
    {
        var text = "The quick brown fox jumps over the lazy dog the fox saw the end";
        foreach (var pair in TopWords(text, 3))
        {
            Console.WriteLine($"{pair.Key}: {pair.Value}");
        }
    }
}
