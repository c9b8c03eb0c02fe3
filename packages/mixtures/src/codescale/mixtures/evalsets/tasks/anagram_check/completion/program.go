package main

import "unicode"

// areAnagrams reports whether both texts have the same letters with the same multiplicities, ignoring case and spaces.
func areAnagrams(first, second string) bool {
// codescale: completion
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
// codescale: tests

func check(ok bool, what string) {
	if !ok {
		panic("check failed: " + what)
	}
}

func main() {
	check(areAnagrams("listen", "silent"), "listen / silent")
	check(areAnagrams("Dormitory", "dirty room"), "Dormitory / dirty room")
	check(!areAnagrams("hello", "world"), "hello / world")
	check(!areAnagrams("aab", "abb"), "aab / abb")
	check(areAnagrams("", "  "), "empty / spaces")
}
