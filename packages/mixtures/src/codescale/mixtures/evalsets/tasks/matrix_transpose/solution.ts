function transpose<T>(matrix: T[][]): T[][] {
  if (matrix.length === 0) {
    return [];
  }
  return matrix[0].map((_, column) => matrix.map((row) => row[column]));
}

const grid: number[][] = [
  [1, 2, 3],
  [4, 5, 6],
];
transpose(grid).forEach((row) => console.log(row.join(" ")));
