/** Gregorian rule: every fourth year is a leap year, except centuries not divisible by 400. */
function isLeapYear(year: number): boolean {
// codescale: completion
  if (year % 400 === 0) return true;
  if (year % 100 === 0) return false;
  return year % 4 === 0;
}
// codescale: tests

// Tests.
function check(ok: boolean, what: string): void {
  if (!ok) {
    throw new Error(`check failed: ${what}`);
  }
}

check(isLeapYear(1900) === false, "1900");
check(isLeapYear(2000) === true, "2000");
check(isLeapYear(2023) === false, "2023");
check(isLeapYear(2024) === true, "2024");
check(isLeapYear(2100) === false, "2100");
