/// Greatest common divisor of `a` and `b`, by Euclid's algorithm (gcd(a, 0) = a).
fn gcd(a: u64, b: u64) -> u64 {
// codescale: completion
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
// codescale: tests
}

fn lcm(a: u64, b: u64) -> u64 {
    a / gcd(a, b) * b
}

fn main() {
    assert_eq!(gcd(48, 18), 6);
    assert_eq!(gcd(17, 5), 1);
    assert_eq!(gcd(100, 75), 25);
    assert_eq!(gcd(7, 0), 7);
    assert_eq!(lcm(48, 18), 144);
    assert_eq!(lcm(17, 5), 85);
    assert_eq!(lcm(100, 75), 300);
}
