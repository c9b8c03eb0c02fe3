/** The characters of text in reverse order. */
function reverse(text) {
// codescale: completion
  return [...text].reverse().join("");
}
// codescale: tests

// Tests.
function check(ok, what) {
  if (!ok) {
    throw new Error(`check failed: ${what}`);
  }
}

check(reverse("stressed") === "desserts", "stressed");
check(reverse("hello, world") === "dlrow ,olleh", "hello, world");
check(reverse("a") === "a", "a");
check(reverse("") === "", "empty");
