package main

// binarySearch returns the index of target in the ascending slice items, or -1 when it is absent.
func binarySearch(items []int, target int) int {
// codescale: completion
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
// codescale: tests

func check(ok bool, what string) {
	if !ok {
		panic("check failed: " + what)
	}
}

func main() {
	primes := []int{2, 3, 5, 7, 11, 13, 17, 19, 23}
	check(binarySearch(primes, 7) == 3, "7")
	check(binarySearch(primes, 2) == 0, "2")
	check(binarySearch(primes, 23) == 8, "23")
	check(binarySearch(primes, 4) == -1, "4")
	check(binarySearch(nil, 1) == -1, "empty")
}
