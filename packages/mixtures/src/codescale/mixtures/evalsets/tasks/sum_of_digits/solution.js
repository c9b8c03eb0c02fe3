const digitSum = (number) => [...String(Math.abs(number))].reduce((total, digit) => total + Number(digit), 0);

/** Repeat digitSum until a single digit is left. */
function digitalRoot(number) {
  while (number >= 10) {
    number = digitSum(number);
  }
  return number;
}

for (const number of [9875, 0, 123456789]) {
  console.log(`${number}: sum ${digitSum(number)}, root ${digitalRoot(number)}`);
}
