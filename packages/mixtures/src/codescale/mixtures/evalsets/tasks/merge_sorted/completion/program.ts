/** Merge two ascending arrays into one ascending array holding every element of both. */
function merge(left: readonly number[], right: readonly number[]): number[] {
// codescale: completion
  const merged: number[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (j >= right.length || (i < left.length && left[i] <= right[j])) {
      merged.push(left[i]);
      i += 1;
    } else {
      merged.push(right[j]);
      j += 1;
    }
  }
  return merged;
}
// codescale: tests

// Tests.
function check(ok: boolean, what: string): void {
  if (!ok) {
    throw new Error(`check failed: ${what}`);
  }
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
check(same(merge([1, 4, 7, 10], [2, 3, 8, 12, 15]), [1, 2, 3, 4, 7, 8, 10, 12, 15]), "two lists");
check(same(merge([], [5, 6]), [5, 6]), "left empty");
check(same(merge([1, 1], [1]), [1, 1, 1]), "equal elements");
check(same(merge([], []), []), "both empty");
