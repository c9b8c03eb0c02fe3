/** All non-array items of an arbitrarily nested array, left to right. */
function flatten(nested) {
  return nested.reduce((flat, item) => flat.concat(Array.isArray(item) ? flatten(item) : [item]), []);
}

console.log(`[${flatten([1, [2, 3], [], [4, [5, [6]]], 7]).join(", ")}]`);
