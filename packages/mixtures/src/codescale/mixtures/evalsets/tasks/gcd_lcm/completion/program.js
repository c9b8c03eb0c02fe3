/** Greatest common divisor of the non-negative integers a and b, by Euclid's algorithm (gcd(a, 0) = a). */
function gcd(a, b) {
// codescale: completion
  return b === 0 ? a : gcd(b, a % b);
}
// codescale: tests

// Tests.
function check(ok, what) {
  if (!ok) {
    throw new Error(`check failed: ${what}`);
  }
}

const lcm = (a, b) => (a / gcd(a, b)) * b;
check(gcd(48, 18) === 6, "gcd(48, 18)");
check(gcd(17, 5) === 1, "gcd(17, 5)");
check(gcd(100, 75) === 25, "gcd(100, 75)");
check(gcd(7, 0) === 7, "gcd(7, 0)");
check(lcm(48, 18) === 144, "lcm(48, 18)");
check(lcm(17, 5) === 85, "lcm(17, 5)");
check(lcm(100, 75) === 300, "lcm(100, 75)");
