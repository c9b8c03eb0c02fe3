const countVowels = (text) => (text.match(/[aeiou]/gi) ?? []).length;

for (const text of ["Programming Language", "rhythm", "AEIOU aeiou"]) {
  console.log(`${text}: ${countVowels(text)}`);
}
