/**
 * Indices [i, j], i < j, with numbers[i] + numbers[j] === target (the first such j, then its partner), found in one
 * pass with a hash map; null when no pair adds up.
 */
function twoSum(numbers, target) {
// codescale: completion
  const seen = new Map();
  for (const [index, number] of numbers.entries()) {
    if (seen.has(target - number)) {
      return [seen.get(target - number), index];
    }
    seen.set(number, index);
  }
  return null;
}
// codescale: tests

// Tests.
function check(ok, what) {
  if (!ok) {
    throw new Error(`check failed: ${what}`);
  }
}

check(JSON.stringify(twoSum([2, 7, 11, 15], 9)) === "[0,1]", "9");
check(JSON.stringify(twoSum([3, 2, 4], 6)) === "[1,2]", "6");
check(twoSum([1, 2, 3], 7) === null, "none");
check(JSON.stringify(twoSum([3, 3], 6)) === "[0,1]", "equal numbers");
