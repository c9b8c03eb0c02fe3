using System;
using System.Text;

public static class RunLengthEncoding
{
    /// <summary>Run-length encoding: every run of one character becomes its length followed by the character.</summary>
    public static string Encode(string text)
    {
// codescale: completion
        var encoded = new StringBuilder();
        for (var i = 0; i < text.Length;)
        {
            var end = i;
            while (end < text.Length && text[end] == text[i])
            {
                end++;
            }
            encoded.Append(end - i).Append(text[i]);
            i = end;
        }
        return encoded.ToString();
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
        Check(Encode("aaabccdddd") == "3a1b2c4d", "aaabccdddd");
        Check(Encode("wwwwwwwwwwwwb") == "12w1b", "wwwwwwwwwwwwb");
        Check(Encode("xyz") == "1x1y1z", "xyz");
        Check(Encode("") == "", "empty");
    }
}
