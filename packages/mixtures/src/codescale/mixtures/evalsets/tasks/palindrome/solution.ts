// True when text reads the same backwards, ignoring case and anything but letters and digits.
function isPalindrome(text: string): boolean {
  const cleaned = text.toLowerCase().replace(/[^a-z0-9]/g, "");
  for (let i = 0, j = cleaned.length - 1; i < j; i++, j--) {
    if (cleaned[i] !== cleaned[j]) {
      return false;
    }
  }
  return true;
}

const phrases: string[] = ["A man, a plan, a canal: Panama", "race a car", "No lemon, no melon"];
for (const phrase of phrases) {
  console.log(`${phrase}: ${isPalindrome(phrase) ? "yes" : "no"}`);
}
