function gcd(a: number, b: number): number {
  while (b !== 0) {
    [a, b] = [b, a % b];
  }
  return a;
}

function lcm(a: number, b: number): number {
  return (a / gcd(a, b)) * b;
}

const pairs: Array<[number, number]> = [[48, 18], [17, 5], [100, 75]];
for (const [a, b] of pairs) {
  console.log(`gcd(${a}, ${b}) = ${gcd(a, b)}, lcm = ${lcm(a, b)}`);
}
