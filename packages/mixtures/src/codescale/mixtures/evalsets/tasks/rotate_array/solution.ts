/** A copy of values rotated steps places to the right (wrapping around). */
function rotateRight<T>(values: readonly T[], steps: number): T[] {
  const n = values.length;
  return values.map((_, i) => values[(((i - steps) % n) + n) % n]);
}

const numbers = [1, 2, 3, 4, 5, 6, 7];
for (const steps of [3, 10, 0]) {
  console.log(`rotate by ${steps}: ${rotateRight(numbers, steps).join(" ")}`);
}
