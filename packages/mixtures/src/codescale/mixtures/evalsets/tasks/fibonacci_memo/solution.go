package main

import "fmt"

// fibonacci returns the n-th Fibonacci number, remembering every value already computed in memo.
func fibonacci(n int, memo map[int]int) int {
	if n < 2 {
		return n
	}
	if value, ok := memo[n]; ok {
		return value
	}
	value := fibonacci(n-1, memo) + fibonacci(n-2, memo)
	memo[n] = value
	return value
}

func main() {
	memo := make(map[int]int)
	for _, n := range []int{10, 30, 50} {
		fmt.Printf("fib(%d) = %d\n", n, fibonacci(n, memo))
	}
}
