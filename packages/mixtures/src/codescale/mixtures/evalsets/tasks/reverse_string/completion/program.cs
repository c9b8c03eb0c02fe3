using System;

public static class ReverseString
{
    /// <summary>The characters of text in reverse order.</summary>
    public static string Reverse(string text)
    {
// codescale: completion
        var characters = text.ToCharArray();
        Array.Reverse(characters);
        return new string(characters);
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
        Check(Reverse("stressed") == "desserts", "stressed");
        Check(Reverse("hello, world") == "dlrow ,olleh", "hello, world");
        Check(Reverse("a") == "a", "a");
        Check(Reverse("") == "", "empty");
    }
}
