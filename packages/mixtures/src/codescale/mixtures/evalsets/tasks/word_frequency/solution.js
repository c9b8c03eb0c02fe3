/** The k most frequent words of text (lower-cased), ties broken alphabetically. */
function topWords(text, k) {
  const counts = new Map();
  for (const word of text.toLowerCase().split(/\s+/)) {
    counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  return [...counts.entries()]
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .slice(0, k);
}

const text = "The quick brown fox jumps over the lazy dog the fox saw the end";
for (const [word, count] of topWords(text, 3)) {
  console.log(`${word}: ${count}`);
}
