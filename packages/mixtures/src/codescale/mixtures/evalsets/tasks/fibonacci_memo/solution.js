/** The n-th Fibonacci number, remembering every value already computed. */
function fibonacci(n, memo = new Map([[0, 0], [1, 1]])) {
  if (!memo.has(n)) {
    memo.set(n, fibonacci(n - 1, memo) + fibonacci(n - 2, memo));
  }
  return memo.get(n);
}

for (const n of [10, 30, 50]) {
  console.log(`fib(${n}) = ${fibonacci(n)}`);
}
