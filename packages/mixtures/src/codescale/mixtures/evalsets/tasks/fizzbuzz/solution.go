package main

import (
	"fmt"
	"strconv"
	"strings"
)

func fizzBuzz(n int) []string {
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

func main() {
	fmt.Println(strings.Join(fizzBuzz(15), " "))
}
