const digitSum = (number) => [...String(Math.abs(number))].reduce((total, digit) => total + Number(digit), 0);

/** Repeat digitSum on the non-negative number until a single digit is left. */
function digitalRoot(number) {
// codescale: completion
  while (number >= 10) {
    number = digitSum(number);
  }
  return number;
}
// codescale: tests

// Tests.
function check(ok, what) {
  if (!ok) {
    throw new Error(`check failed: ${what}`);
  }
}

check(digitalRoot(9875) === 2, "9875");
check(digitalRoot(0) === 0, "0");
check(digitalRoot(123456789) === 9, "123456789");
check(digitalRoot(7) === 7, "7");
check(digitSum(9875) === 29, "digitSum");
