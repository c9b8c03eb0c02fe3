package main

// gcd returns the greatest common divisor of the non-negative integers a and b, by Euclid's algorithm
// (gcd(a, 0) = a).
func gcd(a, b int) int {
// codescale: completion
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
// codescale: tests

func check(ok bool, what string) {
	if !ok {
		panic("check failed: " + what)
	}
}

func lcm(a, b int) int {
	return a / gcd(a, b) * b
}

func main() {
	check(gcd(48, 18) == 6, "gcd(48, 18)")
	check(gcd(17, 5) == 1, "gcd(17, 5)")
	check(gcd(100, 75) == 25, "gcd(100, 75)")
	check(gcd(7, 0) == 7, "gcd(7, 0)")
	check(lcm(48, 18) == 144, "lcm(48, 18)")
	check(lcm(17, 5) == 85, "lcm(17, 5)")
	check(lcm(100, 75) == 300, "lcm(100, 75)")
}
