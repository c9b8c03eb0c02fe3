/**
 * The k most frequent words of text (split on whitespace, lower-cased) as [word, count] pairs, most frequent first,
 * ties broken alphabetically.
 */
function topWords(text, k) {
// codescale: completion
  const counts = new Map();
  for (const word of text.toLowerCase().split(/\s+/)) {
    counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  return [...counts.entries()]
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, k);
}
// codescale: tests

// Tests.
function check(ok, what) {
  if (!ok) {
    throw new Error(`check failed: ${what}`);
  }
}

const text = "The quick brown fox jumps over the lazy dog the fox saw the end";
check(JSON.stringify(topWords(text, 3)) === JSON.stringify([["the", 4], ["fox", 2], ["brown", 1]]), "sentence");
check(JSON.stringify(topWords("b a c a b a", 2)) === JSON.stringify([["a", 3], ["b", 2]]), "ties");
check(JSON.stringify(topWords("one", 5)) === JSON.stringify([["one", 1]]), "k larger than the vocabulary");
