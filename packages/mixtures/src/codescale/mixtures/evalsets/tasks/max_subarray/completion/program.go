package main

import "errors"

// maxSubarraySum returns the largest sum of a non-empty contiguous run of values (Kadane's algorithm), or an error
// when values is empty.
func maxSubarraySum(values []int) (int, error) {
// codescale: completion
	if len(values) == 0 {
		return 0, errors.New("maxSubarraySum needs at least one value")
	}
	best, current := values[0], values[0]
	for _, value := range values[1:] {
		if current+value > value {
			current += value
		} else {
			current = value
		}
		if current > best {
			best = current
		}
	}
	return best, nil
}
// codescale: tests

func check(ok bool, what string) {
	if !ok {
		panic("check failed: " + what)
	}
}

func expect(values []int, want int) bool {
	got, err := maxSubarraySum(values)
	return err == nil && got == want
}

func main() {
	check(expect([]int{-2, 1, -3, 4, -1, 2, 1, -5, 4}, 6), "mixed")
	check(expect([]int{-3, -1, -2}, -1), "all negative")
	check(expect([]int{5}, 5), "one")
	check(expect([]int{2, -1, 2}, 3), "dip")
	_, err := maxSubarraySum(nil)
	check(err != nil, "empty must be an error")
}
