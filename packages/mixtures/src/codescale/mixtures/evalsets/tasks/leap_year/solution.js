/** Gregorian rule: every fourth year, except centuries not divisible by 400. */
const isLeapYear = (year) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

[1900, 2000, 2023, 2024].forEach((year) => {
  console.log(`${year}: ${isLeapYear(year) ? "leap" : "common"}`);
});
