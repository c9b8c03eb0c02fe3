/** Sieve of Eratosthenes: every prime p with 2 <= p <= limit, ascending. */
function primesUpTo(limit) {
// codescale: completion
  const isPrime = new Array(Math.max(limit + 1, 0)).fill(true);
  const primes = [];
  for (let p = 2; p <= limit; p++) {
    if (!isPrime[p]) continue;
    primes.push(p);
    for (let multiple = p * p; multiple <= limit; multiple += p) {
      isPrime[multiple] = false;
    }
  }
  return primes;
}
// codescale: tests

// Tests.
function check(ok, what) {
  if (!ok) {
    throw new Error(`check failed: ${what}`);
  }
}

check(primesUpTo(50).join(" ") === "2 3 5 7 11 13 17 19 23 29 31 37 41 43 47", "50");
check(primesUpTo(999).length === 168, "999");
check(primesUpTo(1).length === 0, "1");
check(primesUpTo(2).join(" ") === "2", "2");
