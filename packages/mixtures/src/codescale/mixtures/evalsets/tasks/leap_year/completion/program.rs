/// Gregorian rule: every fourth year is a leap year, except centuries not divisible by 400.
fn is_leap_year(year: u32) -> bool {
// codescale: completion
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
// codescale: tests
}

fn main() {
    assert!(!is_leap_year(1900));
    assert!(is_leap_year(2000));
    assert!(!is_leap_year(2023));
    assert!(is_leap_year(2024));
    assert!(!is_leap_year(2100));
}
