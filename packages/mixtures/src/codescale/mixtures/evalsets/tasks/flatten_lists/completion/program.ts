type Nested<T> = Array<T | Nested<T>>;

/** All non-array items of an arbitrarily nested array, left to right. */
function flatten<T>(nested: Nested<T>): T[] {
// codescale: completion
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
// codescale: tests

// Tests.
function check(ok: boolean, what: string): void {
  if (!ok) {
    throw new Error(`check failed: ${what}`);
  }
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
const nested: Nested<number> = [1, [2, 3], [], [4, [5, [6]]], 7];
check(same(flatten(nested), [1, 2, 3, 4, 5, 6, 7]), "nested");
check(same(flatten<number>([]), []), "empty");
check(same(flatten<number>([[[]]]), []), "only arrays");
check(same(flatten<string>([["a"], "b"]), ["a", "b"]), "strings");
