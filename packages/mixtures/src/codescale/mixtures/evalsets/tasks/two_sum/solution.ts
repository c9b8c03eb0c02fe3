/** Indices i < j with numbers[i] + numbers[j] === target, found in one pass with a hash map. */
function twoSum(numbers: readonly number[], target: number): [number, number] | undefined {
  const indexOf = new Map<number, number>();
  for (let i = 0; i < numbers.length; i++) {
    const partner = indexOf.get(target - numbers[i]);
    if (partner !== undefined) {
      return [partner, i];
    }
    indexOf.set(numbers[i], i);
  }
  return undefined;
}

const cases: Array<{ numbers: number[]; target: number }> = [
  { numbers: [2, 7, 11, 15], target: 9 },
  { numbers: [3, 2, 4], target: 6 },
  { numbers: [1, 2, 3], target: 7 },
];
for (const { numbers, target } of cases) {
  const pair = twoSum(numbers, target);
  console.log(`target ${target}: ${pair ? `${pair[0]} ${pair[1]}` : "none"}`);
}
