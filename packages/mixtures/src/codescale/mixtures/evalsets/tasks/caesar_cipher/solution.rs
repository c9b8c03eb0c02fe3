/// Shift every ASCII letter by `shift` places, keeping case; other characters pass through.
fn caesar(text: &str, shift: i32) -> String {
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
}

fn main() {
    let secret = caesar("Hello, World!", 3);
    println!("{secret}");
    println!("{}", caesar(&secret, -3));
    println!("{}", caesar("xyz ABC", 30));
}
