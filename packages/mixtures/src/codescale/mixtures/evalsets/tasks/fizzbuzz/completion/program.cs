using System;
using System.Collections.Generic;

public static class FizzBuzz
{
    /// <summary>
    /// The words for 1..n: multiples of 15 become "FizzBuzz", other multiples of 3 "Fizz", other multiples of 5
    /// "Buzz", and every other number is written in digits.
    /// </summary>
    public static List<string> Play(int n)
    {
// codescale: completion
        var words = new List<string>();
        for (var i = 1; i <= n; i++)
        {
            if (i % 15 == 0) words.Add("FizzBuzz");
            else if (i % 3 == 0) words.Add("Fizz");
            else if (i % 5 == 0) words.Add("Buzz");
            else words.Add(i.ToString());
        }
        return words;
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
        Check(string.Join(" ", Play(15)) == "1 2 Fizz 4 Buzz Fizz 7 8 Fizz Buzz 11 Fizz 13 14 FizzBuzz", "15");
        Check(Play(1).Count == 1 && Play(1)[0] == "1", "1");
        Check(Play(0).Count == 0, "0");
        Check(Play(30)[29] == "FizzBuzz", "30");
    }
}
