/** Largest sum of a non-empty contiguous run of values (Kadane's algorithm); RangeError when values is empty. */
function maxSubarraySum(values: readonly number[]): number {
// codescale: completion
  if (values.length === 0) {
    throw new RangeError("maxSubarraySum needs at least one value");
  }
  let best = -Infinity;
  let current = 0;
  for (const value of values) {
    current = current > 0 ? current + value : value;
    if (current > best) {
      best = current;
    }
  }
  return best;
}
// codescale: tests

// Tests.
function check(ok: boolean, what: string): void {
  if (!ok) {
    throw new Error(`check failed: ${what}`);
  }
}

check(maxSubarraySum([-2, 1, -3, 4, -1, 2, 1, -5, 4]) === 6, "mixed");
check(maxSubarraySum([-3, -1, -2]) === -1, "all negative");
check(maxSubarraySum([5]) === 5, "one");
check(maxSubarraySum([2, -1, 2]) === 3, "dip");
let refused = false;
try {
  maxSubarraySum([]);
} catch (err) {
  refused = err instanceof RangeError;
}
check(refused, "empty must throw RangeError");
