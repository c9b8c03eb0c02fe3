/** Index of target in the ascending array items, or -1 when it is absent. */
function binarySearch(items: readonly number[], target: number): number {
// codescale: completion
  let low = 0;
  let high = items.length - 1;
  while (low <= high) {
    const mid = Math.floor((low + high) / 2);
    if (items[mid] === target) {
      return mid;
    } else if (items[mid] < target) {
      low = mid + 1;
    } else {
      high = mid - 1;
    }
  }
  return -1;
}
// codescale: tests

// Tests.
function check(ok: boolean, what: string): void {
  if (!ok) {
    throw new Error(`check failed: ${what}`);
  }
}

const primes = [2, 3, 5, 7, 11, 13, 17, 19, 23];
check(binarySearch(primes, 7) === 3, "7");
check(binarySearch(primes, 2) === 0, "2");
check(binarySearch(primes, 23) === 8, "23");
check(binarySearch(primes, 4) === -1, "4");
check(binarySearch([], 1) === -1, "empty");
