/// How many characters of `text` are vowels (a, e, i, o, u), in either case.
fn count_vowels(text: &str) -> usize {
// codescale: completion
    text.chars()
        .filter(|c| matches!(c.to_ascii_lowercase(), 'a' | 'e' | 'i' | 'o' | 'u'))
        .count()
// codescale: tests
}

fn main() {
    assert_eq!(count_vowels("Programming Language"), 7);
    assert_eq!(count_vowels("rhythm"), 0);
    assert_eq!(count_vowels("AEIOU aeiou"), 10);
    assert_eq!(count_vowels(""), 0);
}
