package main

// twoSum finds indices i < j with numbers[i]+numbers[j] == target (the first such j, then its partner) in one pass
// with a hash map; ok is false when no pair adds up.
func twoSum(numbers []int, target int) (i int, j int, ok bool) {
// codescale: completion
	seen := make(map[int]int, len(numbers))
	for index, n := range numbers {
		if partner, found := seen[target-n]; found {
			return partner, index, true
		}
		seen[n] = index
	}
	return 0, 0, false
}
// codescale: tests

func check(ok bool, what string) {
	if !ok {
		panic("check failed: " + what)
	}
}

func pair(numbers []int, target, wantI, wantJ int) bool {
	i, j, ok := twoSum(numbers, target)
	return ok && i == wantI && j == wantJ
}

func main() {
	check(pair([]int{2, 7, 11, 15}, 9, 0, 1), "9")
	check(pair([]int{3, 2, 4}, 6, 1, 2), "6")
	_, _, ok := twoSum([]int{1, 2, 3}, 7)
	check(!ok, "none")
	check(pair([]int{3, 3}, 6, 0, 1), "equal numbers")
}
