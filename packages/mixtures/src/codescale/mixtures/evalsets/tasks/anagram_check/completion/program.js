/** True when both texts have the same letters with the same multiplicities, ignoring case and spaces. */
function areAnagrams(first, second) {
// codescale: completion
  const normalize = (text) => [...text.toLowerCase().replace(/ /g, "")].sort().join("");
  return normalize(first) === normalize(second);
}
// codescale: tests

// Tests.
function check(ok, what) {
  if (!ok) {
    throw new Error(`check failed: ${what}`);
  }
}

check(areAnagrams("listen", "silent") === true, "listen / silent");
check(areAnagrams("Dormitory", "dirty room") === true, "Dormitory / dirty room");
check(areAnagrams("hello", "world") === false, "hello / world");
check(areAnagrams("aab", "abb") === false, "aab / abb");
check(areAnagrams("", "  ") === true, "empty / spaces");
