/**
 * Shift every ASCII letter of text by shift places (negative: backwards), keeping its case; other characters pass
 * through unchanged.
 */
function caesar(text, shift) {
// codescale: completion
  const rotate = (char, base) => String.fromCharCode(((((char.charCodeAt(0) - base + shift) % 26) + 26) % 26) + base);
  return text.replace(/[a-z]/g, (c) => rotate(c, 97)).replace(/[A-Z]/g, (c) => rotate(c, 65));
}
// codescale: tests

// Tests.
function check(ok, what) {
  if (!ok) {
    throw new Error(`check failed: ${what}`);
  }
}

check(caesar("Hello, World!", 3) === "Khoor, Zruog!", "shift 3");
check(caesar("Khoor, Zruog!", -3) === "Hello, World!", "shift -3");
check(caesar("xyz ABC", 30) === "bcd EFG", "shift 30");
check(caesar("", 5) === "", "empty");
