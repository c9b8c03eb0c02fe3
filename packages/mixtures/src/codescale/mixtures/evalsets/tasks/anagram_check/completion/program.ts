/** True when both texts have the same letters with the same multiplicities, ignoring case and spaces. */
function areAnagrams(first: string, second: string): boolean {
// codescale: completion
  const counts = new Map<string, number>();
  for (const char of first.toLowerCase()) {
    if (char !== " ") counts.set(char, (counts.get(char) ?? 0) + 1);
  }
  for (const char of second.toLowerCase()) {
    if (char === " ") continue;
    const left = (counts.get(char) ?? 0) - 1;
    if (left < 0) return false;
    counts.set(char, left);
  }
  return [...counts.values()].every((count) => count === 0);
}
// codescale: tests

// Tests.
function check(ok: boolean, what: string): void {
  if (!ok) {
    throw new Error(`check failed: ${what}`);
  }
}

check(areAnagrams("listen", "silent") === true, "listen / silent");
check(areAnagrams("Dormitory", "dirty room") === true, "Dormitory / dirty room");
check(areAnagrams("hello", "world") === false, "hello / world");
check(areAnagrams("aab", "abb") === false, "aab / abb");
check(areAnagrams("", "  ") === true, "empty / spaces");
