package main

// isLeapYear applies the Gregorian rule: every fourth year is a leap year, except centuries not divisible by 400.
func isLeapYear(year int) bool {
// codescale: completion
	return year%4 == 0 && (year%100 != 0 || year%400 == 0)
}
// codescale: tests

func check(ok bool, what string) {
	if !ok {
		panic("check failed: " + what)
	}
}

func main() {
	check(!isLeapYear(1900), "1900")
	check(isLeapYear(2000), "2000")
	check(!isLeapYear(2023), "2023")
	check(isLeapYear(2024), "2024")
	check(!isLeapYear(2100), "2100")
}
