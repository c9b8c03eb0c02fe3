/// Shift every ASCII letter of `text` by `shift` places (negative: backwards), keeping its case; other characters
/// pass through unchanged.
fn caesar(text: &str, shift: i32) -> String {
// codescale: completion
    let rotation = shift.rem_euclid(26) as u8;
    text.chars()
        .map(|c| {
            if c.is_ascii_alphabetic() {
                let base = if c.is_ascii_uppercase() { b'A' } else { b'a' };
                ((c as u8 - base + rotation) % 26 + base) as char
            } else {
                c
            }
        })
        .collect()
// codescale: tests
}

fn main() {
    assert_eq!(caesar("Hello, World!", 3), "Khoor, Zruog!");
    assert_eq!(caesar("Khoor, Zruog!", -3), "Hello, World!");
    assert_eq!(caesar("xyz ABC", 30), "bcd EFG");
    assert_eq!(caesar("", 5), "");
}
