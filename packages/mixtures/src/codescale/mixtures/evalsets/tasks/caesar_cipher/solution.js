/** Shift every ASCII letter by shift places, keeping case; other characters pass through. */
function caesar(text, shift) {
  const rotate = (char, base) => String.fromCharCode(((((char.charCodeAt(0) - base + shift) % 26) + 26) % 26) + base);
  return text.replace(/[a-z]/g, (c) => rotate(c, 97)).replace(/[A-Z]/g, (c) => rotate(c, 65));
}

const secret = caesar("Hello, World!", 3);
console.log(secret);
console.log(caesar(secret, -3));
console.log(caesar("xyz ABC", 30));
