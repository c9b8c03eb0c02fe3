/** All non-array items of an arbitrarily nested array, left to right. */
function flatten(nested) {
// codescale: completion
  return nested.reduce((flat, item) => flat.concat(Array.isArray(item) ? flatten(item) : [item]), []);
}
// codescale: tests

// Tests.
function check(ok, what) {
  if (!ok) {
    throw new Error(`check failed: ${what}`);
  }
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
check(same(flatten([1, [2, 3], [], [4, [5, [6]]], 7]), [1, 2, 3, 4, 5, 6, 7]), "nested");
check(same(flatten([]), []), "empty");
check(same(flatten([[[]]]), []), "only arrays");
check(same(flatten([["a"], "b"]), ["a", "b"]), "strings");
