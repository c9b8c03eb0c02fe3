/** Run-length encoding: every run of one character becomes its length followed by the character. */
function encode(text: string): string {
// codescale: completion
  let encoded = "";
  let i = 0;
  while (i < text.length) {
    let end = i;
    while (end < text.length && text[end] === text[i]) {
      end++;
    }
    encoded += `${end - i}${text[i]}`;
    i = end;
  }
  return encoded;
}
// codescale: tests

// Tests.
function check(ok: boolean, what: string): void {
  if (!ok) {
    throw new Error(`check failed: ${what}`);
  }
}

check(encode("aaabccdddd") === "3a1b2c4d", "aaabccdddd");
check(encode("wwwwwwwwwwwwb") === "12w1b", "wwwwwwwwwwwwb");
check(encode("xyz") === "1x1y1z", "xyz");
check(encode("") === "", "empty");
