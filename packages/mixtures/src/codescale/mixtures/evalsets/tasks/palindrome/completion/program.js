/** True when text reads the same backwards, ignoring case and anything but letters and digits. */
function isPalindrome(text) {
// codescale: completion
  const cleaned = text.toLowerCase().replace(/[^a-z0-9]/g, "");
  return cleaned === [...cleaned].reverse().join("");
}
// codescale: tests

// Tests.
function check(ok, what) {
  if (!ok) {
    throw new Error(`check failed: ${what}`);
  }
}

check(isPalindrome("A man, a plan, a canal: Panama") === true, "Panama");
check(isPalindrome("race a car") === false, "race a car");
check(isPalindrome("No lemon, no melon") === true, "melon");
check(isPalindrome("") === true, "empty");
check(isPalindrome("ab") === false, "ab");
