package main

import (
	"strconv"
	"strings"
)

// encode applies run-length encoding: every run of one character becomes its length followed by the character.
func encode(text string) string {
// codescale: completion
	var b strings.Builder
	runes := []rune(text)
	for i := 0; i < len(runes); {
		end := i
		for end < len(runes) && runes[end] == runes[i] {
			end++
		}
		b.WriteString(strconv.Itoa(end - i))
		b.WriteRune(runes[i])
		i = end
	}
	return b.String()
}
// codescale: tests

func check(ok bool, what string) {
	if !ok {
		panic("check failed: " + what)
	}
}

func main() {
	check(encode("aaabccdddd") == "3a1b2c4d", "aaabccdddd")
	check(encode("wwwwwwwwwwwwb") == "12w1b", "wwwwwwwwwwwwb")
	check(encode("xyz") == "1x1y1z", "xyz")
	check(encode("") == "", "empty")
}
