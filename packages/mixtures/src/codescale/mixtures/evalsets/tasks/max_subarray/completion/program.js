/** Largest sum of a non-empty contiguous run of values (Kadane's algorithm); RangeError when values is empty. */
function maxSubarraySum(values) {
// codescale: completion
  if (values.length === 0) throw new RangeError("maxSubarraySum needs at least one value");
  let best = values[0];
  let current = values[0];
  for (const value of values.slice(1)) {
    current = Math.max(value, current + value);
    best = Math.max(best, current);
  }
  return best;
}
// codescale: tests

// Tests.
function check(ok, what) {
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
