package main

import "unicode"

// isPalindrome reports whether text reads the same backwards, ignoring case and anything but letters and digits.
func isPalindrome(text string) bool {
// codescale: completion
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
// codescale: tests

func check(ok bool, what string) {
	if !ok {
		panic("check failed: " + what)
	}
}

func main() {
	check(isPalindrome("A man, a plan, a canal: Panama"), "Panama")
	check(!isPalindrome("race a car"), "race a car")
	check(isPalindrome("No lemon, no melon"), "melon")
	check(isPalindrome(""), "empty")
	check(!isPalindrome("ab"), "ab")
}
