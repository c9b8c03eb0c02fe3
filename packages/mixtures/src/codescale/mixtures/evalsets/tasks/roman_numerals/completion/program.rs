const NUMERALS: [(u32, &str); 13] = [
    (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
    (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
];

/// `number` (1 to 3999) in roman numerals, using the subtractive forms (IV, IX, XL, ...); an error outside that
/// range.
fn to_roman(mut number: u32) -> Result<String, String> {
// codescale: completion
    if number == 0 || number >= 4000 {
        return Err(format!("{number} cannot be written in roman numerals"));
    }
    let mut roman = String::new();
    for &(value, symbol) in NUMERALS.iter() {
        while number >= value {
            roman.push_str(symbol);
            number -= value;
        }
    }
    Ok(roman)
// codescale: tests
}

fn main() {
    assert_eq!(to_roman(1994), Ok("MCMXCIV".to_string()));
    assert_eq!(to_roman(2024), Ok("MMXXIV".to_string()));
    assert_eq!(to_roman(3999), Ok("MMMCMXCIX".to_string()));
    assert_eq!(to_roman(4), Ok("IV".to_string()));
    assert!(to_roman(0).is_err());
}
