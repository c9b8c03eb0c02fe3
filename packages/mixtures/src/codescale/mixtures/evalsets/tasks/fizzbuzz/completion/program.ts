/**
 * The words for 1..n: multiples of 15 become "FizzBuzz", other multiples of 3 "Fizz", other multiples of 5 "Buzz",
 * and every other number is written in digits.
 */
function fizzBuzz(n: number): string[] {
// codescale: completion
  const words: string[] = [];
  for (let i = 1; i <= n; i++) {
    if (i % 15 === 0) words.push("FizzBuzz");
    else if (i % 3 === 0) words.push("Fizz");
    else if (i % 5 === 0) words.push("Buzz");
    else words.push(String(i));
  }
  return words;
}
// codescale: tests

// Tests.
function check(ok: boolean, what: string): void {
  if (!ok) {
    throw new Error(`check failed: ${what}`);
  }
}

check(fizzBuzz(15).join(" ") === "1 2 Fizz 4 Buzz Fizz 7 8 Fizz Buzz 11 Fizz 13 14 FizzBuzz", "15");
check(JSON.stringify(fizzBuzz(1)) === JSON.stringify(["1"]), "1");
check(fizzBuzz(0).length === 0, "0");
check(fizzBuzz(30)[29] === "FizzBuzz", "30");
