const transpose = (matrix) => (matrix.length === 0 ? [] : matrix[0].map((_, c) => matrix.map((row) => row[c])));

const grid = [
  [1, 2, 3],
  [4, 5, 6],
];
for (const row of transpose(grid)) {
  console.log(row.join(" "));
}
