using System;
using System.Collections.Generic;

public static class FizzBuzz
{
    public static List<string> Play(int n)
    {
        var words = new List<string>();
        for (var i = 1; i <= n; i++)
        {
            if (i % 15 == 0) words.Add("FizzBuzz");
            else if (i % 3 == 0) words.Add("Fizz");
            else if (i % 5 == 0) words.Add("Buzz");
            else words.Add(i.ToString());
        }
        return words;
    }

    public static void Main()
    {
        Console.WriteLine(string.Join(" ", Play(15)));
    }
}
