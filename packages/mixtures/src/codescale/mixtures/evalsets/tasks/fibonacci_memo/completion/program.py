def fibonacci(n: int, memo: dict[int, int] | None = None) -> int:
    """The n-th Fibonacci number (fibonacci(0) = 0, fibonacci(1) = 1), remembering every value already computed in
    memo so that large n stay fast.

    >>> fibonacci(10)
    55
    """
# codescale: completion
    if memo is None:
        memo = {0: 0, 1: 1}
    if n not in memo:
        memo[n] = fibonacci(n - 1, memo) + fibonacci(n - 2, memo)
    return memo[n]
# codescale: tests


def check(candidate):
    assert candidate(0) == 0
    assert candidate(1) == 1
    assert candidate(10) == 55
    assert candidate(30) == 832040
    assert candidate(50) == 12586269025
    assert candidate(90) == 2880067194370816120


check(fibonacci)
