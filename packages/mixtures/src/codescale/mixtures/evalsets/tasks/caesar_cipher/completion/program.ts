const ALPHABET = "abcdefghijklmnopqrstuvwxyz";

/**
 * Shift every ASCII letter of text by shift places (negative: backwards), keeping its case; other characters pass
 * through unchanged.
 */
function caesar(text: string, shift: number): string {
// codescale: completion
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
// codescale: tests

// Tests.
function check(ok: boolean, what: string): void {
  if (!ok) {
    throw new Error(`check failed: ${what}`);
  }
}

check(caesar("Hello, World!", 3) === "Khoor, Zruog!", "shift 3");
check(caesar("Khoor, Zruog!", -3) === "Hello, World!", "shift -3");
check(caesar("xyz ABC", 30) === "bcd EFG", "shift 30");
check(caesar("", 5) === "", "empty");
