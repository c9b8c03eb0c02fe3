/// True when `text` reads the same backwards, ignoring case and anything but letters and digits.
fn is_palindrome(text: &str) -> bool {
// codescale: completion
    let cleaned: Vec<char> = text
        .chars()
        .filter(|c| c.is_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    cleaned.iter().eq(cleaned.iter().rev())
// codescale: tests
}

fn main() {
    assert!(is_palindrome("A man, a plan, a canal: Panama"));
    assert!(!is_palindrome("race a car"));
    assert!(is_palindrome("No lemon, no melon"));
    assert!(is_palindrome(""));
    assert!(!is_palindrome("ab"));
}
