using System;
using System.Linq;

public static class Palindrome
{
    // True when text reads the same backwards, ignoring case and anything but letters and digits.
    public static bool IsPalindrome(string text)
    {
        var cleaned = text.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray();
        return cleaned.SequenceEqual(cleaned.Reverse());
    }

    public static void Main()
    {
        string[] phrases = { "A man, a plan, a canal: Panama", "race a car", "No lemon, no melon" };
        foreach (var phrase in phrases)
        {
            Console.WriteLine($"{phrase}: {(IsPalindrome(phrase) ? "yes" : "no")}");
        }
    }
}
