/** Merge two ascending arrays into one ascending array holding every element of both. */
function merge(left, right) {
// codescale: completion
  const merged = [];
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length) {
    merged.push(left[i] <= right[j] ? left[i++] : right[j++]);
  }
  return merged.concat(left.slice(i), right.slice(j));
}
// codescale: tests

// Tests.
function check(ok, what) {
  if (!ok) {
    throw new Error(`check failed: ${what}`);
  }
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
check(same(merge([1, 4, 7, 10], [2, 3, 8, 12, 15]), [1, 2, 3, 4, 7, 8, 10, 12, 15]), "two lists");
check(same(merge([], [5, 6]), [5, 6]), "left empty");
check(same(merge([1, 1], [1]), [1, 1, 1]), "equal elements");
check(same(merge([], []), []), "both empty");
