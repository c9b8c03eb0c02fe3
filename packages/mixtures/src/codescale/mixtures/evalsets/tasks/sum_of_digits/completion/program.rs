fn digit_sum(number: u64) -> u64 {
    let mut rest = number;
    let mut total = 0;
    while rest > 0 {
        total += rest % 10;
        rest /= 10;
    }
    total
}

/// Repeat `digit_sum` on `number` until a single digit is left.
fn digital_root(mut number: u64) -> u64 {
// codescale: completion
    while number >= 10 {
        number = digit_sum(number);
    }
    number
// codescale: tests
}

fn main() {
    assert_eq!(digital_root(9875), 2);
    assert_eq!(digital_root(0), 0);
    assert_eq!(digital_root(123456789), 9);
    assert_eq!(digital_root(7), 7);
    assert_eq!(digit_sum(9875), 29);
}
