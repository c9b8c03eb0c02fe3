const VOWELS: ReadonlySet<string> = new Set(["a", "e", "i", "o", "u"]);

function countVowels(text: string): number {
  let count = 0;
  for (const char of text.toLowerCase()) {
    if (VOWELS.has(char)) {
      count++;
    }
  }
  return count;
}

for (const text of ["Programming Language", "rhythm", "AEIOU aeiou"]) {
  console.log(`${text}: ${countVowels(text)}`);
}
