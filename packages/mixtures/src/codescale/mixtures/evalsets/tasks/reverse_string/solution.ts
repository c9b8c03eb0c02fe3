function reverse(text: string): string {
  return Array.from(text).reverse().join("");
}

for (const word of ["stressed", "hello, world", "a"]) {
  console.log(`${word} -> ${reverse(word)}`);
}
