const memo: number[] = [0, 1];

/** The n-th Fibonacci number, remembering every value already computed. */
function fibonacci(n: number): number {
  if (memo[n] === undefined) {
    memo[n] = fibonacci(n - 1) + fibonacci(n - 2);
  }
  return memo[n];
}

[10, 30, 50].forEach((n) => console.log(`fib(${n}) = ${fibonacci(n)}`));
