const VOWELS: ReadonlySet<string> = new Set(["a", "e", "i", "o", "u"]);

/** How many characters of text are vowels (a, e, i, o, u), in either case. */
function countVowels(text: string): number {
// codescale: completion
  let count = 0;
  for (const char of text.toLowerCase()) {
    if (VOWELS.has(char)) {
      count++;
    }
  }
  return count;
}
// codescale: tests

// Tests.
function check(ok: boolean, what: string): void {
  if (!ok) {
    throw new Error(`check failed: ${what}`);
  }
}

check(countVowels("Programming Language") === 7, "Programming Language");
check(countVowels("rhythm") === 0, "rhythm");
check(countVowels("AEIOU aeiou") === 10, "AEIOU aeiou");
check(countVowels("") === 0, "empty");
