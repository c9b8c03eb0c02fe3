package main

import "strconv"

// fizzBuzz returns the words for 1..n: multiples of 15 become "FizzBuzz", other multiples of 3 "Fizz", other
// multiples of 5 "Buzz", and every other number is written in digits.
func fizzBuzz(n int) []string {
// codescale: completion
	words := make([]string, 0, n)
	for i := 1; i <= n; i++ {
		switch {
		case i%15 == 0:
			words = append(words, "FizzBuzz")
		case i%3 == 0:
			words = append(words, "Fizz")
		case i%5 == 0:
			words = append(words, "Buzz")
		default:
			words = append(words, strconv.Itoa(i))
		}
	}
	return words
}
// codescale: tests

func check(ok bool, what string) {
	if !ok {
		panic("check failed: " + what)
	}
}

func joined(words []string) string {
	text := ""
	for i, word := range words {
		if i > 0 {
			text += " "
		}
		text += word
	}
	return text
}

func main() {
	check(joined(fizzBuzz(15)) == "1 2 Fizz 4 Buzz Fizz 7 8 Fizz Buzz 11 Fizz 13 14 FizzBuzz", "15")
	check(joined(fizzBuzz(1)) == "1", "1")
	check(len(fizzBuzz(0)) == 0, "0")
	check(fizzBuzz(30)[29] == "FizzBuzz", "30")
}
