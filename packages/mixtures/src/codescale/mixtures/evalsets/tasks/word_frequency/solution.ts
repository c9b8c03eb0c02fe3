/** The k most frequent words of text (lower-cased), ties broken alphabetically. */
function topWords(text: string, k: number): Array<[string, number]> {
  const counts: Record<string, number> = {};
  for (const word of text.toLowerCase().split(/\s+/)) {
    counts[word] = (counts[word] ?? 0) + 1;
  }
  return Object.entries(counts)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, k);
}

const text = "The quick brown fox jumps over the lazy dog the fox saw the end";
for (const [word, count] of topWords(text, 3)) {
  console.log(`${word}: ${count}`);
}
