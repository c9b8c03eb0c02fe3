package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// maxSubarraySum returns the largest sum of a non-empty contiguous run (Kadane's algorithm).
func maxSubarraySum(values []int) (int, error) {
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

func main() {
	inputs := [][]int{{-2, 1, -3, 4, -1, 2, 1, -5, 4}, {-3, -1, -2}, {5}}
	for _, values := range inputs {
		best, err := maxSubarraySum(values)
		if err != nil {
			fmt.Println(err)
			continue
		}
		parts := make([]string, len(values))
		for i, v := range values {
			parts[i] = strconv.Itoa(v)
		}
		fmt.Printf("[%s] -> %d\n", strings.Join(parts, ", "), best)
	}
}
