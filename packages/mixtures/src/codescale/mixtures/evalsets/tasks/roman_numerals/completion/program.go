package main

import (
	"fmt"
	"strings"
)

var numerals = []struct {
	value  int
	symbol string
}{
	{1000, "M"}, {900, "CM"}, {500, "D"}, {400, "CD"}, {100, "C"}, {90, "XC"},
	{50, "L"}, {40, "XL"}, {10, "X"}, {9, "IX"}, {5, "V"}, {4, "IV"}, {1, "I"},
}

// toRoman writes number (1 to 3999) in roman numerals, using the subtractive forms (IV, IX, XL, ...); an error
// outside that range.
func toRoman(number int) (string, error) {
// codescale: completion
	if number <= 0 || number >= 4000 {
		return "", fmt.Errorf("%d cannot be written in roman numerals", number)
	}
	var b strings.Builder
	for _, n := range numerals {
		b.WriteString(strings.Repeat(n.symbol, number/n.value))
		number %= n.value
	}
	return b.String(), nil
}
// codescale: tests

func check(ok bool, what string) {
	if !ok {
		panic("check failed: " + what)
	}
}

func roman(number int) string {
	text, err := toRoman(number)
	if err != nil {
		return "error"
	}
	return text
}

func main() {
	check(roman(1994) == "MCMXCIV", "1994")
	check(roman(2024) == "MMXXIV", "2024")
	check(roman(3999) == "MMMCMXCIX", "3999")
	check(roman(4) == "IV", "4")
	_, err := toRoman(0)
	check(err != nil, "0 must be an error")
}
