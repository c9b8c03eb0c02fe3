const OPENER_OF = new Map<string, string>([
  [")", "("],
  ["]", "["],
  ["}", "{"],
]);

function isBalanced(text: string): boolean {
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

for (const text of ["([]{})", "([)]", "((", "{[()()]}", "a(b)c]"]) {
  console.log(`${text}: ${isBalanced(text) ? "balanced" : "unbalanced"}`);
}
