fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

fn lcm(a: u64, b: u64) -> u64 {
    a / gcd(a, b) * b
}

fn main() {
    for (a, b) in [(48, 18), (17, 5), (100, 75)] {
        println!("gcd({a}, {b}) = {}, lcm = {}", gcd(a, b), lcm(a, b));
    }
}
