/**
 * Indices [i, j], i < j, with numbers[i] + numbers[j] === target (the first such j, then its partner), found in one
 * pass with a hash map; undefined when no pair adds up.
 */
function twoSum(numbers: readonly number[], target: number): [number, number] | undefined {
// codescale: completion
  const indexOf = new Map<number, number>();
  for (let i = 0; i < numbers.length; i++) {
    const partner = indexOf.get(target - numbers[i]);
    if (partner !== undefined) {
      return [partner, i];
    }
    indexOf.set(numbers[i], i);
  }
  return undefined;
}
// codescale: tests

// Tests.
function check(ok: boolean, what: string): void {
  if (!ok) {
    throw new Error(`check failed: ${what}`);
  }
}

check(JSON.stringify(twoSum([2, 7, 11, 15], 9)) === "[0,1]", "9");
check(JSON.stringify(twoSum([3, 2, 4], 6)) === "[1,2]", "6");
check(twoSum([1, 2, 3], 7) === undefined, "none");
check(JSON.stringify(twoSum([3, 3], 6)) === "[0,1]", "equal numbers");
