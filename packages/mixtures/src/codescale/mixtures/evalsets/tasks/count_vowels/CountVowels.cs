using System;
using System.Linq;

public static class CountVowels
{
    public static int Count(string text) => text.Count(c => "aeiouAEIOU".IndexOf(c) >= 0);

    public static void Main()
    {
        foreach (var text in new[] { "Programming Language", "rhythm", "AEIOU aeiou" })
        {
            Console.WriteLine($"{text}: {Count(text)}");
        }
    }
}
