/** A copy of values rotated steps places to the right, wrapping around (steps may exceed the length). */
function rotateRight<T>(values: readonly T[], steps: number): T[] {
// codescale: completion
  const n = values.length;
  return values.map((_, i) => values[(((i - steps) % n) + n) % n]);
}
// codescale: tests

// Tests.
function check(ok: boolean, what: string): void {
  if (!ok) {
    throw new Error(`check failed: ${what}`);
  }
}

const numbers = [1, 2, 3, 4, 5, 6, 7];
check(rotateRight(numbers, 3).join(" ") === "5 6 7 1 2 3 4", "3");
check(rotateRight(numbers, 10).join(" ") === "5 6 7 1 2 3 4", "10");
check(rotateRight(numbers, 0).join(" ") === "1 2 3 4 5 6 7", "0");
check(rotateRight<number>([], 4).length === 0, "empty");
check(numbers.join(" ") === "1 2 3 4 5 6 7", "input unchanged");
