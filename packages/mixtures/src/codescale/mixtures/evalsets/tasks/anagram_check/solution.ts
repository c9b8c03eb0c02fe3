/** Same letters with the same multiplicities, ignoring case and spaces. */
function areAnagrams(first: string, second: string): boolean {
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

const pairs: Array<[string, string]> = [
  ["listen", "silent"],
  ["Dormitory", "dirty room"],
  ["hello", "world"],
];
for (const [first, second] of pairs) {
  console.log(`${first} / ${second}: ${areAnagrams(first, second) ? "yes" : "no"}`);
}
