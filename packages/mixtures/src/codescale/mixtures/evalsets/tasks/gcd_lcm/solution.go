package main

import "fmt"

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

func lcm(a, b int) int {
	return a / gcd(a, b) * b
}

func main() {
	pairs := [][2]int{{48, 18}, {17, 5}, {100, 75}}
	for _, p := range pairs {
		fmt.Printf("gcd(%d, %d) = %d, lcm = %d\n", p[0], p[1], gcd(p[0], p[1]), lcm(p[0], p[1]))
	}
}
