package main

import (
	"fmt"
	"strings"
)

// caesar shifts every ASCII letter by shift places, keeping case; other characters pass through.
func caesar(text string, shift int) string {
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

func main() {
	secret := caesar("Hello, World!", 3)
	fmt.Println(secret)
	fmt.Println(caesar(secret, -3))
	fmt.Println(caesar("xyz ABC", 30))
}
