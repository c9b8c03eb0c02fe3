using System;

public static class ReverseString
{
    public static string Reverse(string text)
    {
        var characters = text.ToCharArray();
        Array.Reverse(characters);
        return new string(characters);
    }

    public static void Main()
    {
        foreach (var word in new[] { "stressed", "hello, world", "a" })
        {
            Console.WriteLine($"{word} -> {Reverse(word)}");
        }
    }
}
