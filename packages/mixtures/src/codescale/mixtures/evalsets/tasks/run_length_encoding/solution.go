package main

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

func encode(text string) string {
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

func decode(encoded string) string {
	var b strings.Builder
	count := 0
	for _, r := range encoded {
		if unicode.IsDigit(r) {
			count = count*10 + int(r-'0')
			continue
		}
		b.WriteString(strings.Repeat(string(r), count))
		count = 0
	}
	return b.String()
}

func main() {
	for _, text := range []string{"aaabccdddd", "wwwwwwwwwwwwb", "xyz"} {
		packed := encode(text)
		fmt.Printf("%s -> %s -> %s\n", text, packed, decode(packed))
	}
}
