/** Largest sum of a non-empty contiguous run (Kadane's algorithm). */
function maxSubarraySum(values: readonly number[]): number {
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

const inputs: number[][] = [[-2, 1, -3, 4, -1, 2, 1, -5, 4], [-3, -1, -2], [5]];
for (const values of inputs) {
  console.log(`[${values.join(", ")}] -> ${maxSubarraySum(values)}`);
}
