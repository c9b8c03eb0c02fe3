const NUMERALS: [(u32, &str); 13] = [
    (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
    (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
];

fn to_roman(mut number: u32) -> Result<String, String> {
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
}

fn main() {
    for year in [1994, 2024, 3999, 4] {
        match to_roman(year) {
            Ok(roman) => println!("{year} = {roman}"),
            Err(message) => println!("{message}"),
        }
    }
}
