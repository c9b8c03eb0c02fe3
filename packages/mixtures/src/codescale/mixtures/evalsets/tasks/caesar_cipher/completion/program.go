package main

import "strings"

// caesar shifts every ASCII letter of text by shift places (negative: backwards), keeping its case; other
// characters pass through unchanged.
func caesar(text string, shift int) string {
// codescale: completion
	rotation := rune((shift%26 + 26) % 26)
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z':
			return 'a' + (r-'a'+rotation)%26
		case r >= 'A' && r <= 'Z':
			return 'A' + (r-'A'+rotation)%26
		}
		return r
	}, text)
}
// codescale: tests

func check(ok bool, what string) {
	if !ok {
		panic("check failed: " + what)
	}
}

func main() {
	check(caesar("Hello, World!", 3) == "Khoor, Zruog!", "shift 3")
	check(caesar("Khoor, Zruog!", -3) == "Hello, World!", "shift -3")
	check(caesar("xyz ABC", 30) == "bcd EFG", "shift 30")
	check(caesar("", 5) == "", "empty")
}
