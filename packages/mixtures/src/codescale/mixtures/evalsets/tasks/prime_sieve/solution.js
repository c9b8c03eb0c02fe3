/** Sieve of Eratosthenes: every prime p with 2 <= p <= limit. */
function primesUpTo(limit) {
  const isPrime = new Array(limit + 1).fill(true);
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

console.log(primesUpTo(50).join(" "));
console.log(`primes below 1000: ${primesUpTo(999).length}`);
