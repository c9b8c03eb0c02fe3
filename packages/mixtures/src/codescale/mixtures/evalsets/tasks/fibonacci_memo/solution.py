def fibonacci(n: int, memo: dict[int, int] | None = None) -> int:
    """The n-th Fibonacci number, remembering every value already computed."""
    if memo is None:
        memo = {0: 0, 1: 1}
    if n not in memo:
        memo[n] = fibonacci(n - 1, memo) + fibonacci(n - 2, memo)
    return memo[n]


if __name__ == "__main__":
    for n in (10, 30, 50):
        print(f"fib({n}) = {fibonacci(n)}")
