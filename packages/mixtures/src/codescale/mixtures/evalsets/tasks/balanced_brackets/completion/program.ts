const OPENER_OF = new Map<string, string>([
  [")", "("],
  ["]", "["],
  ["}", "{"],
]);

/** True when every bracket of (), [] and {} in text is closed in the right order; other characters are ignored. */
function isBalanced(text: string): boolean {
// codescale: completion
  const stack: string[] = [];
  for (const char of text) {
    if (char === "(" || char === "[" || char === "{") {
      stack.push(char);
      continue;
    }
    const opener = OPENER_OF.get(char);
    if (opener !== undefined && stack.pop() !== opener) {
      return false;
    }
  }
  return stack.length === 0;
}
// codescale: tests

// Tests.
function check(ok: boolean, what: string): void {
  if (!ok) {
    throw new Error(`check failed: ${what}`);
  }
}

check(isBalanced("([]{})") === true, "([]{})");
check(isBalanced("([)]") === false, "([)]");
check(isBalanced("((") === false, "((");
check(isBalanced("{[()()]}") === true, "{[()()]}");
check(isBalanced("a(b)c]") === false, "a(b)c]");
check(isBalanced("") === true, "empty");
