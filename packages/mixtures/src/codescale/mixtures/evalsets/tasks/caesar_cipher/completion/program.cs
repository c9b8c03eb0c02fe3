using System;
using System.Linq;

public static class CaesarCipher
{
    /// <summary>
    /// Shift every ASCII letter of text by shift places (negative: backwards), keeping its case; other characters
    /// pass through unchanged.
    /// </summary>
    public static string Caesar(string text, int shift)
    {
// codescale: completion
        var rotation = ((shift % 26) + 26) % 26;
        return new string(text.Select(c =>
        {
            if (c >= 'a' && c <= 'z') return (char)('a' + (c - 'a' + rotation) % 26);
            if (c >= 'A' && c <= 'Z') return (char)('A' + (c - 'A' + rotation) % 26);
            return c;
        }).ToArray());
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
        Check(Caesar("Hello, World!", 3) == "Khoor, Zruog!", "shift 3");
        Check(Caesar("Khoor, Zruog!", -3) == "Hello, World!", "shift -3");
        Check(Caesar("xyz ABC", 30) == "bcd EFG", "shift 30");
        Check(Caesar("", 5) == "", "empty");
    }
}
