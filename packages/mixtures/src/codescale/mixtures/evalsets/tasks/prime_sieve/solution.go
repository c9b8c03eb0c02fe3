package main

import (
	"fmt"
	"strconv"
	"strings"
)

// primesUpTo runs the sieve of Eratosthenes: every prime p with 2 <= p <= limit.
func primesUpTo(limit int) []int {
	if limit < 2 {
		return nil
	}
	composite := make([]bool, limit+1)
	var primes []int
	for p := 2; p <= limit; p++ {
		if composite[p] {
			continue
		}
		primes = append(primes, p)
		for multiple := p * p; multiple <= limit; multiple += p {
			composite[multiple] = true
		}
	}
	return primes
}

func main() {
	var words []string
	for _, p := range primesUpTo(50) {
		words = append(words, strconv.Itoa(p))
	}
	fmt.Println(strings.Join(words, " "))
	fmt.Printf("primes below 1000: %d\n", len(primesUpTo(999)))
}
