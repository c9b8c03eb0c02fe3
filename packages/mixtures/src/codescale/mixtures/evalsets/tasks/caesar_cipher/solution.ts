const ALPHABET = "abcdefghijklmnopqrstuvwxyz";

/** Shift every ASCII letter by shift places, keeping case; other characters pass through. */
function caesar(text: string, shift: number): string {
  let shifted = "";
  for (const char of text) {
    const lower = char.toLowerCase();
    const index = ALPHABET.indexOf(lower);
    if (index < 0) {
      shifted += char;
      continue;
    }
    const rotated = ALPHABET[(((index + shift) % 26) + 26) % 26];
    shifted += char === lower ? rotated : rotated.toUpperCase();
  }
  return shifted;
}

const secret = caesar("Hello, World!", 3);
console.log(secret);
console.log(caesar(secret, -3));
console.log(caesar("xyz ABC", 30));
