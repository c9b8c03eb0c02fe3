package main

import "fmt"

// binarySearch returns the index of target in the ascending slice items, or -1.
func binarySearch(items []int, target int) int {
	low, high := 0, len(items)-1
	for low <= high {
		mid := low + (high-low)/2
		switch {
		case items[mid] == target:
			return mid
		case items[mid] < target:
			low = mid + 1
		default:
			high = mid - 1
		}
	}
	return -1
}

func main() {
	primes := []int{2, 3, 5, 7, 11, 13, 17, 19, 23}
	for _, target := range []int{7, 2, 23, 4} {
		fmt.Printf("%d -> %d\n", target, binarySearch(primes, target))
	}
}
