/** Largest sum of a non-empty contiguous run (Kadane's algorithm). */
function maxSubarraySum(values) {
  if (values.length === 0) throw new RangeError("maxSubarraySum needs at least one value");
  let best = values[0];
  let current = values[0];
  for (const value of values.slice(1)) {
    current = Math.max(value, current + value);
    best = Math.max(best, current);
  }
  return best;
}

for (const values of [[-2, 1, -3, 4, -1, 2, 1, -5, 4], [-3, -1, -2], [5]]) {
  console.log(`[${values.join(", ")}] -> ${maxSubarraySum(values)}`);
}
