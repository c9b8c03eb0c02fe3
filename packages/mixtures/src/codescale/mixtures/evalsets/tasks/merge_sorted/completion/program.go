package main

// merge combines two ascending slices into one ascending slice holding every element of both.
func merge(left, right []int) []int {
// codescale: completion
	merged := make([]int, 0, len(left)+len(right))
	i, j := 0, 0
	for i < len(left) && j < len(right) {
		if left[i] <= right[j] {
			merged = append(merged, left[i])
			i++
		} else {
			merged = append(merged, right[j])
			j++
		}
	}
	merged = append(merged, left[i:]...)
	return append(merged, right[j:]...)
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
	check(sameInts(merge([]int{1, 4, 7, 10}, []int{2, 3, 8, 12, 15}), []int{1, 2, 3, 4, 7, 8, 10, 12, 15}), "two lists")
	check(sameInts(merge(nil, []int{5, 6}), []int{5, 6}), "left empty")
	check(sameInts(merge([]int{1, 1}, []int{1}), []int{1, 1, 1}), "equal elements")
	check(len(merge(nil, nil)) == 0, "both empty")
}
