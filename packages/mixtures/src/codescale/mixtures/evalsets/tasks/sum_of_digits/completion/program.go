package main

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

// digitalRoot repeats digitSum on the non-negative number until a single digit is left.
func digitalRoot(number int) int {
// codescale: completion
	for number >= 10 {
		number = digitSum(number)
	}
	return number
}
// codescale: tests

func check(ok bool, what string) {
	if !ok {
		panic("check failed: " + what)
	}
}

func main() {
	check(digitalRoot(9875) == 2, "9875")
	check(digitalRoot(0) == 0, "0")
	check(digitalRoot(123456789) == 9, "123456789")
	check(digitalRoot(7) == 7, "7")
	check(digitSum(9875) == 29, "digitSum")
}
