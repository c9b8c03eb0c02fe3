/** Sieve of Eratosthenes: every prime p with 2 <= p <= limit, ascending. */
function primesUpTo(limit: number): number[] {
// codescale: completion
  if (limit < 2) {
    return [];
  }
  const sieve = new Uint8Array(limit + 1);
  for (let p = 2; p * p <= limit; p++) {
    if (sieve[p] === 0) {
      for (let multiple = p * p; multiple <= limit; multiple += p) {
        sieve[multiple] = 1;
      }
    }
  }
  const primes: number[] = [];
  sieve.forEach((crossed, n) => {
    if (n >= 2 && crossed === 0) {
      primes.push(n);
    }
  });
  return primes;
}
// codescale: tests

// Tests.
function check(ok: boolean, what: string): void {
  if (!ok) {
    throw new Error(`check failed: ${what}`);
  }
}

check(primesUpTo(50).join(" ") === "2 3 5 7 11 13 17 19 23 29 31 37 41 43 47", "50");
check(primesUpTo(999).length === 168, "999");
check(primesUpTo(1).length === 0, "1");
check(primesUpTo(2).join(" ") === "2", "2");
