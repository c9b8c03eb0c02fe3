package main

import "fmt"

// twoSum finds indices i < j with numbers[i]+numbers[j] == target in one pass with a hash map.
func twoSum(numbers []int, target int) (int, int, bool) {
	seen := make(map[int]int, len(numbers))
	for i, n := range numbers {
		if j, ok := seen[target-n]; ok {
			return j, i, true
		}
		seen[n] = i
	}
	return 0, 0, false
}

func main() {
	cases := []struct {
		numbers []int
		target  int
	}{
		{[]int{2, 7, 11, 15}, 9},
		{[]int{3, 2, 4}, 6},
		{[]int{1, 2, 3}, 7},
	}
	for _, c := range cases {
		if i, j, ok := twoSum(c.numbers, c.target); ok {
			fmt.Printf("target %d: %d %d\n", c.target, i, j)
		} else {
			fmt.Printf("target %d: none\n", c.target)
		}
	}
}
