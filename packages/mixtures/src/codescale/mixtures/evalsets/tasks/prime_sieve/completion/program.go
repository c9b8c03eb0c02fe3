package main

// primesUpTo runs the sieve of Eratosthenes: every prime p with 2 <= p <= limit, ascending.
func primesUpTo(limit int) []int {
// codescale: completion
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
// codescale: tests

func check(ok bool, what string) {
	if !ok {
		panic("check failed: " + what)
	}
}

func main() {
	want := []int{2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47}
	got := primesUpTo(50)
	check(len(got) == len(want), "50: count")
	for i := range want {
		check(i < len(got) && got[i] == want[i], "50: values")
	}
	check(len(primesUpTo(999)) == 168, "999")
	check(len(primesUpTo(1)) == 0, "1")
	check(len(primesUpTo(2)) == 1 && primesUpTo(2)[0] == 2, "2")
}
