/** How many characters of text are vowels (a, e, i, o, u), in either case. */
function countVowels(text) {
// codescale: completion
  return (text.match(/[aeiou]/gi) ?? []).length;
}
// codescale: tests

// Tests.
function check(ok, what) {
  if (!ok) {
    throw new Error(`check failed: ${what}`);
  }
}

check(countVowels("Programming Language") === 7, "Programming Language");
check(countVowels("rhythm") === 0, "rhythm");
check(countVowels("AEIOU aeiou") === 10, "AEIOU aeiou");
check(countVowels("") === 0, "empty");
