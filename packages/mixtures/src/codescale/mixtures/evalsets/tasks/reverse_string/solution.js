function reverse(text) {
  return [...text].reverse().join("");
}

for (const word of ["stressed", "hello, world", "a"]) {
  console.log(`${word} -> ${reverse(word)}`);
}
