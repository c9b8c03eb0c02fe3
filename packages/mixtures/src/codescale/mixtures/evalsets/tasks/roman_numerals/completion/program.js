const NUMERALS = [
  [1000, "M"], [900, "CM"], [500, "D"], [400, "CD"], [100, "C"], [90, "XC"],
  [50, "L"], [40, "XL"], [10, "X"], [9, "IX"], [5, "V"], [4, "IV"], [1, "I"],
];

/**
 * number (1 to 3999) in roman numerals, using the subtractive forms (IV, IX, XL, ...); RangeError outside that
 * range.
 */
function toRoman(number) {
// codescale: completion
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
// codescale: tests

// Tests.
function check(ok, what) {
  if (!ok) {
    throw new Error(`check failed: ${what}`);
  }
}

check(toRoman(1994) === "MCMXCIV", "1994");
check(toRoman(2024) === "MMXXIV", "2024");
check(toRoman(3999) === "MMMCMXCIX", "3999");
check(toRoman(4) === "IV", "4");
let refused = false;
try {
  toRoman(0);
} catch (err) {
  refused = err instanceof RangeError;
}
check(refused, "0 must throw RangeError");
