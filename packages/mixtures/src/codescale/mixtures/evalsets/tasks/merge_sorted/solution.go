package main

import (
	"fmt"
	"strings"
)

// merge combines two ascending slices into one ascending slice.
func merge(left, right []int) []int {
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

func main() {
	fmt.Println(strings.Trim(fmt.Sprint(merge([]int{1, 4, 7, 10}, []int{2, 3, 8, 12, 15})), "[]"))
	fmt.Println(strings.Trim(fmt.Sprint(merge(nil, []int{5, 6})), "[]"))
}
