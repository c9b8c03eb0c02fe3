const NUMERALS: ReadonlyArray<readonly [number, string]> = [
  [1000, "M"], [900, "CM"], [500, "D"], [400, "CD"], [100, "C"], [90, "XC"],
  [50, "L"], [40, "XL"], [10, "X"], [9, "IX"], [5, "V"], [4, "IV"], [1, "I"],
];

function toRoman(value: number): string {
  if (!Number.isInteger(value) || value <= 0 || value >= 4000) {
    throw new RangeError(`${value} cannot be written in roman numerals`);
  }
  let remaining = value;
  let roman = "";
  for (const [amount, symbol] of NUMERALS) {
    while (remaining >= amount) {
      roman += symbol;
      remaining -= amount;
    }
  }
  return roman;
}

for (const year of [1994, 2024, 3999, 4]) {
  console.log(`${year} = ${toRoman(year)}`);
}
