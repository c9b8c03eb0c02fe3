/** Indices i < j with numbers[i] + numbers[j] === target, found in one pass with a hash map. */
function twoSum(numbers, target) {
  const seen = new Map();
  for (const [index, number] of numbers.entries()) {
    if (seen.has(target - number)) {
      return [seen.get(target - number), index];
    }
    seen.set(number, index);
  }
  return null;
}

const cases = [
  [[2, 7, 11, 15], 9],
  [[3, 2, 4], 6],
  [[1, 2, 3], 7],
];
for (const [numbers, target] of cases) {
  const pair = twoSum(numbers, target);
  console.log(`target ${target}: ${pair === null ? "none" : pair.join(" ")}`);
}
