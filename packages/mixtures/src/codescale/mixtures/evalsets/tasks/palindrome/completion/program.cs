using System;
using System.Linq;

public static class Palindrome
{
    /// <summary>True when text reads the same backwards, ignoring case and anything but letters and digits.</summary>
    public static bool IsPalindrome(string text)
    {
// codescale: completion
        var cleaned = text.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray();
        return cleaned.SequenceEqual(cleaned.Reverse());
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
        Check(IsPalindrome("A man, a plan, a canal: Panama"), "Panama");
        Check(!IsPalindrome("race a car"), "race a car");
        Check(IsPalindrome("No lemon, no melon"), "melon");
        Check(IsPalindrome(""), "empty");
        Check(!IsPalindrome("ab"), "ab");
    }
}
