package main

import (
	"fmt"
	"unicode"
)

// isPalindrome reports whether text reads the same backwards, ignoring case and anything but letters and digits.
func isPalindrome(text string) bool {
	var cleaned []rune
	for _, r := range text {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			cleaned = append(cleaned, unicode.ToLower(r))
		}
	}
	for i, j := 0, len(cleaned)-1; i < j; i, j = i+1, j-1 {
		if cleaned[i] != cleaned[j] {
			return false
		}
	}
	return true
}

func main() {
	phrases := []string{"A man, a plan, a canal: Panama", "race a car", "No lemon, no melon"}
	for _, phrase := range phrases {
		verdict := "no"
		if isPalindrome(phrase) {
			verdict = "yes"
		}
		fmt.Printf("%s: %s\n", phrase, verdict)
	}
}
