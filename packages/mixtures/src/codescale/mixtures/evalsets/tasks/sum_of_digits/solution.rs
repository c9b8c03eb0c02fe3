fn digit_sum(number: u64) -> u64 {
    let mut rest = number;
    let mut total = 0;
    while rest > 0 {
        total += rest % 10;
        rest /= 10;
    }
    total
}

/// Repeat `digit_sum` until a single digit is left.
fn digital_root(mut number: u64) -> u64 {
    while number >= 10 {
        number = digit_sum(number);
    }
    number
}

fn main() {
    for number in [9875, 0, 123456789] {
        println!("{number}: sum {}, root {}", digit_sum(number), digital_root(number));
    }
}
