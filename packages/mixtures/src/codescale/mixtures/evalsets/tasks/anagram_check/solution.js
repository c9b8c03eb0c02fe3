/** Same letters with the same multiplicities, ignoring case and spaces. */
function areAnagrams(first, second) {
  const normalize = (text) => [...text.toLowerCase().replace(/ /g, "")].sort().join("");
  return normalize(first) === normalize(second);
}

const pairs = [
  ["listen", "silent"],
  ["Dormitory", "dirty room"],
  ["hello", "world"],
];
for (const [first, second] of pairs) {
  console.log(`${first} / ${second}: ${areAnagrams(first, second) ? "yes" : "no"}`);
}
