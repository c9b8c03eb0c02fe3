function fizzBuzz(n: number): string[] {
  const words: string[] = [];
  for (let i = 1; i <= n; i++) {
    if (i % 15 === 0) words.push("FizzBuzz");
    else if (i % 3 === 0) words.push("Fizz");
    else if (i % 5 === 0) words.push("Buzz");
    else words.push(String(i));
  }
  return words;
}

console.log(fizzBuzz(15).join(" "));
