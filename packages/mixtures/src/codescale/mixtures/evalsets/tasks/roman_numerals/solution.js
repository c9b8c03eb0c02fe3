const NUMERALS = [
  [1000, "M"], [900, "CM"], [500, "D"], [400, "CD"], [100, "C"], [90, "XC"],
  [50, "L"], [40, "XL"], [10, "X"], [9, "IX"], [5, "V"], [4, "IV"], [1, "I"],
];

function toRoman(number) {
  if (!(number > 0 && number < 4000)) {
    throw new RangeError(`${number} cannot be written in roman numerals`);
  }
  let roman = "";
  for (const [value, symbol] of NUMERALS) {
    roman += symbol.repeat(Math.floor(number / value));
    number %= value;
  }
  return roman;
}

for (const year of [1994, 2024, 3999, 4]) {
  console.log(`${year} = ${toRoman(year)}`);
}
