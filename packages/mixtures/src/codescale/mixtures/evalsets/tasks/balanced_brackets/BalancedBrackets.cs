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

    public static bool IsBalanced(string text)
    {
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
    }

    public static void Main()
    {
        foreach (var text in new[] { "([]{})", "([)]", "((", "{[()()]}", "a(b)c]" })
        {
            Console.WriteLine($"{text}: {(IsBalanced(text) ? "balanced" : "unbalanced")}");
        }
    }
}
