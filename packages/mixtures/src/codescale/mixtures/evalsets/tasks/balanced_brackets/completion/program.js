const PAIRS = { ")": "(", "]": "[", "}": "{" };

/** True when every bracket of (), [] and {} in text is closed in the right order; other characters are ignored. */
function isBalanced(text) {
// codescale: completion
  const stack = [];
  for (const char of text) {
    if ("([{".includes(char)) {
      stack.push(char);
    } else if (char in PAIRS && stack.pop() !== PAIRS[char]) {
      return false;
    }
  }
  return stack.length === 0;
}
// codescale: tests

// Tests.
function check(ok, what) {
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
