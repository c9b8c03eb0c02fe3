/// Gregorian rule: every fourth year, except centuries not divisible by 400.
fn is_leap_year(year: u32) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn main() {
    for year in [1900, 2000, 2023, 2024] {
        let kind = if is_leap_year(year) { "leap" } else { "common" };
        println!("{year}: {kind}");
    }
}
