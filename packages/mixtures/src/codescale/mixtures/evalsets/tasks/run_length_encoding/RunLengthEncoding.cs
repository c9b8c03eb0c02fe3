using System;
using System.Text;

public static class RunLengthEncoding
{
    public static string Encode(string text)
    {
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
    }

    public static string Decode(string encoded)
    {
        var decoded = new StringBuilder();
        var count = 0;
        foreach (var c in encoded)
        {
            if (char.IsDigit(c))
            {
                count = count * 10 + (c - '0');
            }
            else
            {
                decoded.Append(c, count);
                count = 0;
            }
        }
        return decoded.ToString();
    }

    public static void Main()
    {
        foreach (var text in new[] { "aaabccdddd", "wwwwwwwwwwwwb", "xyz" })
        {
            var packed = Encode(text);
            Console.WriteLine($"{text} -> {packed} -> {Decode(packed)}");
        }
    }
}
