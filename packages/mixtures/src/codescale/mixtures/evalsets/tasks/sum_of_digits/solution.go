package main

import "fmt"

func digitSum(number int) int {
	if number < 0 {
		number = -number
	}
	total := 0
	for ; number > 0; number /= 10 {
		total += number % 10
	}
	return total
}

// digitalRoot repeats digitSum until a single digit is left.
func digitalRoot(number int) int {
	for number >= 10 {
		number = digitSum(number)
	}
	return number
}

func main() {
	for _, number := range []int{9875, 0, 123456789} {
		fmt.Printf("%d: sum %d, root %d\n", number, digitSum(number), digitalRoot(number))
	}
}
