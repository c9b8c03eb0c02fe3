using System;
using System.Linq;

public static class CaesarCipher
{
    /// <summary>Shift every ASCII letter by shift places, keeping case; other characters pass through.</summary>
    public static string Caesar(string text, int shift)
    {
        var rotation = ((shift % 26) + 26) % 26;
        return new string(text.Select(c =>
        {
            if (c >= 'a' && c <= 'z') return (char)('a' + (c - 'a' + rotation) % 26);
            if (c >= 'A' && c <= 'Z') return (char)('A' + (c - 'A' + rotation) % 26);
            return c;
        }).ToArray());
    }

    public static void Main()
    {
        var secret = Caesar("Hello, World!", 3);
        Console.WriteLine(secret);
        Console.WriteLine(Caesar(secret, -3));
        Console.WriteLine(Caesar("xyz ABC", 30));
    }
}
