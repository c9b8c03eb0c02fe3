type Nested<T> = Array<T | Nested<T>>;

/** All non-array items of an arbitrarily nested array, left to right. */
function flatten<T>(nested: Nested<T>): T[] {
  const flat: T[] = [];
  for (const item of nested) {
    if (Array.isArray(item)) {
      flat.push(...flatten(item));
    } else {
      flat.push(item);
    }
  }
  return flat;
}

const nested: Nested<number> = [1, [2, 3], [], [4, [5, [6]]], 7];
console.log(`[${flatten(nested).join(", ")}]`);
