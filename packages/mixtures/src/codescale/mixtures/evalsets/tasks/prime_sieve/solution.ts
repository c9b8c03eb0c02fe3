/** Sieve of Eratosthenes: every prime p with 2 <= p <= limit. */
function primesUpTo(limit: number): number[] {
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

console.log(primesUpTo(50).join(" "));
console.log(`primes below 1000: ${primesUpTo(999).length}`);
