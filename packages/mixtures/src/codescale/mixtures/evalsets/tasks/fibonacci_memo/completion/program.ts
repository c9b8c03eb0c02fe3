const memo: number[] = [0, 1];

/**
 * The n-th Fibonacci number (fibonacci(0) = 0, fibonacci(1) = 1), remembering every value already computed in memo
 * so that large n stay fast.
 */
function fibonacci(n: number): number {
// codescale: completion
  if (memo[n] === undefined) {
    memo[n] = fibonacci(n - 1) + fibonacci(n - 2);
  }
  return memo[n];
}
// codescale: tests

// Tests.
function check(ok: boolean, what: string): void {
  if (!ok) {
    throw new Error(`check failed: ${what}`);
  }
}

check(fibonacci(0) === 0, "fib(0)");
check(fibonacci(1) === 1, "fib(1)");
check(fibonacci(10) === 55, "fib(10)");
check(fibonacci(30) === 832040, "fib(30)");
check(fibonacci(50) === 12586269025, "fib(50)");
check(fibonacci(70) === 190392490709135, "fib(70)");
