/// True when `text` reads the same backwards, ignoring case and anything but letters and digits.
fn is_palindrome(text: &str) -> bool {
    let cleaned: Vec<char> = text
        .chars()
        .filter(|c| c.is_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    cleaned.iter().eq(cleaned.iter().rev())
}

fn main() {
    let phrases = ["A man, a plan, a canal: Panama", "race a car", "No lemon, no melon"];
    for phrase in phrases {
        let verdict = if is_palindrome(phrase) { "yes" } else { "no" };
        println!("{phrase}: {verdict}");
    }
}
