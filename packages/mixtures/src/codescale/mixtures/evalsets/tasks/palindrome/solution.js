// True when text reads the same backwards, ignoring case and anything but letters and digits.
function isPalindrome(text) {
  const cleaned = text.toLowerCase().replace(/[^a-z0-9]/g, "");
  return cleaned === [...cleaned].reverse().join("");
}

const phrases = ["A man, a plan, a canal: Panama", "race a car", "No lemon, no melon"];
for (const phrase of phrases) {
  console.log(`${phrase}: ${isPalindrome(phrase) ? "yes" : "no"}`);
}
