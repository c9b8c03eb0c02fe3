package main

import "strings"

// countVowels returns how many characters of text are vowels (a, e, i, o, u), in either case.
func countVowels(text string) int {
// codescale: completion
	count := 0
	for _, r := range strings.ToLower(text) {
		if strings.ContainsRune("aeiou", r) {
			count++
		}
	}
	return count
}
// codescale: tests

func check(ok bool, what string) {
	if !ok {
		panic("check failed: " + what)
	}
}

func main() {
	check(countVowels("Programming Language") == 7, "Programming Language")
	check(countVowels("rhythm") == 0, "rhythm")
	check(countVowels("AEIOU aeiou") == 10, "AEIOU aeiou")
	check(countVowels("") == 0, "empty")
}
