function digitSum(value: number): number {
  let total = 0;
  for (let rest = Math.abs(value); rest > 0; rest = Math.floor(rest / 10)) {
    total += rest % 10;
  }
  return total;
}

/** Repeat digitSum on the non-negative value until a single digit is left. */
function digitalRoot(value: number): number {
// codescale: completion
  let root = value;
  while (root >= 10) {
    root = digitSum(root);
  }
  return root;
}
// codescale: tests

// Tests.
function check(ok: boolean, what: string): void {
  if (!ok) {
    throw new Error(`check failed: ${what}`);
  }
}

check(digitalRoot(9875) === 2, "9875");
check(digitalRoot(0) === 0, "0");
check(digitalRoot(123456789) === 9, "123456789");
check(digitalRoot(7) === 7, "7");
check(digitSum(9875) === 29, "digitSum");
