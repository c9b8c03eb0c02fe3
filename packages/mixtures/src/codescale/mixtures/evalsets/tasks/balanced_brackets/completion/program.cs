using System;
using System.Collections.Generic;

public static class BalancedBrackets
{
    private static readonly Dictionary<char, char> Pairs = new Dictionary<char, char>
    {
        [')'] = '(',
        [']'] = '[',
        ['}'] = '{',
    };

    /// <summary>True when every bracket of (), [] and {} in text is closed in the right order; other characters are ignored.</summary>
    public static bool IsBalanced(string text)
    {
// codescale: completion
        var stack = new Stack<char>();
        foreach (var c in text)
        {
            if (c == '(' || c == '[' || c == '{')
            {
                stack.Push(c);
            }
            else if (Pairs.TryGetValue(c, out var opener))
            {
                if (stack.Count == 0 || stack.Pop() != opener)
                {
                    return false;
                }
            }
        }
        return stack.Count == 0;
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
        Check(IsBalanced("([]{})"), "([]{})");
        Check(!IsBalanced("([)]"), "([)]");
        Check(!IsBalanced("(("), "((");
        Check(IsBalanced("{[()()]}"), "{[()()]}");
        Check(!IsBalanced("a(b)c]"), "a(b)c]");
        Check(IsBalanced(""), "empty");
    }
}
