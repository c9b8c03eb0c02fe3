/** The transpose of a rectangular matrix given as an array of rows: row i of the result is column i of matrix. */
function transpose(matrix) {
// codescale: completion
  return matrix.length === 0 ? [] : matrix[0].map((_, c) => matrix.map((row) => row[c]));
}
// codescale: tests

// Tests.
function check(ok, what) {
  if (!ok) {
    throw new Error(`check failed: ${what}`);
  }
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
check(same(transpose([[1, 2, 3], [4, 5, 6]]), [[1, 4], [2, 5], [3, 6]]), "2x3");
check(same(transpose([[7]]), [[7]]), "1x1");
check(same(transpose([[1, 2, 3]]), [[1], [2], [3]]), "1x3");
check(same(transpose([]), []), "empty");
