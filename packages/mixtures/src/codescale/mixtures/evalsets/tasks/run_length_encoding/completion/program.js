/** Run-length encoding: every run of one character becomes its length followed by the character. */
function encode(text) {
// codescale: completion
  return text.replace(/(.)\1*/g, (run, char) => `${run.length}${char}`);
}
// codescale: tests

// Tests.
function check(ok, what) {
  if (!ok) {
    throw new Error(`check failed: ${what}`);
  }
}

check(encode("aaabccdddd") === "3a1b2c4d", "aaabccdddd");
check(encode("wwwwwwwwwwwwb") === "12w1b", "wwwwwwwwwwwwb");
check(encode("xyz") === "1x1y1z", "xyz");
check(encode("") === "", "empty");
