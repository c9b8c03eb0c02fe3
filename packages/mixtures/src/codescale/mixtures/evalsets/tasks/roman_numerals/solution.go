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

func toRoman(number int) (string, error) {
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

func main() {
	for _, year := range []int{1994, 2024, 3999, 4} {
		roman, err := toRoman(year)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%d = %s\n", year, roman)
	}
}
