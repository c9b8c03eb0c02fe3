/** Merge two ascending arrays into one ascending array. */
function merge(left, right) {
  const merged = [];
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length) {
    merged.push(left[i] <= right[j] ? left[i++] : right[j++]);
  }
  return merged.concat(left.slice(i), right.slice(j));
}

console.log(merge([1, 4, 7, 10], [2, 3, 8, 12, 15]).join(" "));
console.log(merge([], [5, 6]).join(" "));
