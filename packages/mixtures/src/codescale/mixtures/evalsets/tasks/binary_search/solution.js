/** Index of target in the ascending array items, or -1. */
function binarySearch(items, target) {
  let low = 0;
  let high = items.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (items[mid] === target) return mid;
    if (items[mid] < target) low = mid + 1;
    else high = mid - 1;
  }
  return -1;
}

const primes = [2, 3, 5, 7, 11, 13, 17, 19, 23];
for (const target of [7, 2, 23, 4]) {
  console.log(`${target} -> ${binarySearch(primes, target)}`);
}
