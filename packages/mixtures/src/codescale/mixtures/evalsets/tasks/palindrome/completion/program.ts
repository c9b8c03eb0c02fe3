/** True when text reads the same backwards, ignoring case and anything but letters and digits. */
function isPalindrome(text: string): boolean {
// codescale: completion
  const cleaned = text.toLowerCase().replace(/[^a-z0-9]/g, "");
  for (let i = 0, j = cleaned.length - 1; i < j; i++, j--) {
    if (cleaned[i] !== cleaned[j]) {
      return false;
    }
  }
  return true;
}
// codescale: tests

// Tests.
function check(ok: boolean, what: string): void {
  if (!ok) {
    throw new Error(`check failed: ${what}`);
  }
}

check(isPalindrome("A man, a plan, a canal: Panama") === true, "Panama");
check(isPalindrome("race a car") === false, "race a car");
check(isPalindrome("No lemon, no melon") === true, "melon");
check(isPalindrome("") === true, "empty");
check(isPalindrome("ab") === false, "ab");
