def primes_up_to(limit: int) -> list[int]:
    """Sieve of Eratosthenes: every prime p with 2 <= p <= limit, ascending.

    >>> primes_up_to(10)
    [2, 3, 5, 7]
    """
# codescale: completion
    if limit < 2:
        return []
    is_prime = [True] * (limit + 1)
    is_prime[0] = is_prime[1] = False
    for p in range(2, int(limit**0.5) + 1):
        if is_prime[p]:
            for multiple in range(p * p, limit + 1, p):
                is_prime[multiple] = False
    return [n for n, prime in enumerate(is_prime) if prime]
# codescale: tests


def check(candidate):
    assert candidate(50) == [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47]
    assert len(candidate(999)) == 168
    assert candidate(1) == []
    assert candidate(2) == [2]


check(primes_up_to)
