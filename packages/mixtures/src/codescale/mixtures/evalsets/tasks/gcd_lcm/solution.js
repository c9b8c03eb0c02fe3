const gcd = (a, b) => (b === 0 ? a : gcd(b, a % b));
const lcm = (a, b) => (a / gcd(a, b)) * b;

for (const [a, b] of [[48, 18], [17, 5], [100, 75]]) {
  console.log(`gcd(${a}, ${b}) = ${gcd(a, b)}, lcm = ${lcm(a, b)}`);
}
