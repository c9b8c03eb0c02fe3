package main

import (
	"fmt"
	"unicode"
)

// areAnagrams reports whether both texts have the same letters with the same multiplicities, ignoring case and spaces.
func areAnagrams(first, second string) bool {
	counts := make(map[rune]int)
	for _, r := range first {
		if r != ' ' {
			counts[unicode.ToLower(r)]++
		}
	}
	for _, r := range second {
		if r != ' ' {
			counts[unicode.ToLower(r)]--
		}
	}
	for _, count := range counts {
		if count != 0 {
			return false
		}
	}
	return true
}

func main() {
	pairs := [][2]string{{"listen", "silent"}, {"Dormitory", "dirty room"}, {"hello", "world"}}
	for _, p := range pairs {
		verdict := "no"
		if areAnagrams(p[0], p[1]) {
			verdict = "yes"
		}
		fmt.Printf("%s / %s: %s\n", p[0], p[1], verdict)
	}
}
