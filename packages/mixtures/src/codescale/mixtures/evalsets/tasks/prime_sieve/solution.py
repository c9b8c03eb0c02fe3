def primes_up_to(limit: int) -> list[int]:
    """Sieve of Eratosthenes: every prime p with 2 <= p <= limit."""
    if limit < 2:
        return []
    is_prime = [True] * (limit + 1)
    is_prime[0] = is_prime[1] = False
    for p in range(2, int(limit**0.5) + 1):
        if is_prime[p]:
            for multiple in range(p * p, limit + 1, p):
                is_prime[multiple] = False
    return [n for n, prime in enumerate(is_prime) if prime]


if __name__ == "__main__":
    print(" ".join(map(str, primes_up_to(50))))
    print(f"primes below 1000: {len(primes_up_to(999))}")
