package main

// rotateRight returns a copy of values rotated steps places to the right, wrapping around (steps may exceed the
// length).
func rotateRight(values []int, steps int) []int {
// codescale: completion
	if len(values) == 0 {
		return nil
	}
	cut := len(values) - steps%len(values)
	rotated := make([]int, 0, len(values))
	rotated = append(rotated, values[cut:]...)
	return append(rotated, values[:cut]...)
}
// codescale: tests

func check(ok bool, what string) {
	if !ok {
		panic("check failed: " + what)
	}
}

func sameInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func main() {
	numbers := []int{1, 2, 3, 4, 5, 6, 7}
	check(sameInts(rotateRight(numbers, 3), []int{5, 6, 7, 1, 2, 3, 4}), "3")
	check(sameInts(rotateRight(numbers, 10), []int{5, 6, 7, 1, 2, 3, 4}), "10")
	check(sameInts(rotateRight(numbers, 0), numbers), "0")
	check(len(rotateRight(nil, 4)) == 0, "empty")
	check(sameInts(numbers, []int{1, 2, 3, 4, 5, 6, 7}), "input unchanged")
}
