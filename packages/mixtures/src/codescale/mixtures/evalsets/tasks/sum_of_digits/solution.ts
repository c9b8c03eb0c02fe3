function digitSum(value: number): number {
  let total = 0;
  for (let rest = Math.abs(value); rest > 0; rest = Math.floor(rest / 10)) {
    total += rest % 10;
  }
  return total;
}

/** Repeat digitSum until a single digit is left. */
function digitalRoot(value: number): number {
  let root = value;
  while (root >= 10) {
    root = digitSum(root);
  }
  return root;
}

for (const value of [9875, 0, 123456789]) {
  console.log(`${value}: sum ${digitSum(value)}, root ${digitalRoot(value)}`);
}
