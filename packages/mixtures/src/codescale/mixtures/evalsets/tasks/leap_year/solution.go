package main

import "fmt"

// isLeapYear applies the Gregorian rule: every fourth year, except centuries not divisible by 400.
func isLeapYear(year int) bool {
	return year%4 == 0 && (year%100 != 0 || year%400 == 0)
}

func main() {
	for _, year := range []int{1900, 2000, 2023, 2024} {
		kind := "common"
		if isLeapYear(year) {
			kind = "leap"
		}
		fmt.Printf("%d: %s\n", year, kind)
	}
}
