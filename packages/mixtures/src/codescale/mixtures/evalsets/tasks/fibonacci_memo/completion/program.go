package main

// fibonacci returns the n-th Fibonacci number (fibonacci(0) = 0, fibonacci(1) = 1), remembering every value
// already computed in memo so that large n stay fast.
func fibonacci(n int, memo map[int]int) int {
// codescale: completion
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
// codescale: tests

func check(ok bool, what string) {
	if !ok {
		panic("check failed: " + what)
	}
}

func main() {
	memo := make(map[int]int)
	check(fibonacci(0, memo) == 0, "fib(0)")
	check(fibonacci(1, memo) == 1, "fib(1)")
	check(fibonacci(10, memo) == 55, "fib(10)")
	check(fibonacci(30, memo) == 832040, "fib(30)")
	check(fibonacci(50, map[int]int{}) == 12586269025, "fib(50)")
	check(fibonacci(90, memo) == 2880067194370816120, "fib(90)")
}
