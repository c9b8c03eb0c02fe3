package main

import (
	"fmt"
	"strings"
)

func countVowels(text string) int {
	count := 0
	for _, r := range strings.ToLower(text) {
		if strings.ContainsRune("aeiou", r) {
			count++
		}
	}
	return count
}

func main() {
	for _, text := range []string{"Programming Language", "rhythm", "AEIOU aeiou"} {
		fmt.Printf("%s: %d\n", text, countVowels(text))
	}
}
