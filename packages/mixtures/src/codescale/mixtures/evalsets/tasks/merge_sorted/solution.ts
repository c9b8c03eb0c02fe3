/** Merge two ascending arrays into one ascending array. */
function merge(left: readonly number[], right: readonly number[]): number[] {
  const merged: number[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (j >= right.length || (i < left.length && left[i] <= right[j])) {
      merged.push(left[i]);
      i += 1;
    } else {
      merged.push(right[j]);
      j += 1;
    }
  }
  return merged;
}

console.log(merge([1, 4, 7, 10], [2, 3, 8, 12, 15]).join(" "));
console.log(merge([], [5, 6]).join(" "));
