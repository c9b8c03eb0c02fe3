/** A copy of values rotated steps places to the right (wrapping around). */
function rotateRight(values, steps) {
  if (values.length === 0) return [];
  const cut = values.length - (steps % values.length);
  return [...values.slice(cut), ...values.slice(0, cut)];
}

const numbers = [1, 2, 3, 4, 5, 6, 7];
for (const steps of [3, 10, 0]) {
  console.log(`rotate by ${steps}: ${rotateRight(numbers, steps).join(" ")}`);
}
