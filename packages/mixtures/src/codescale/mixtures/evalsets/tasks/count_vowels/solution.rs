fn count_vowels(text: &str) -> usize {
    text.chars()
        .filter(|c| matches!(c.to_ascii_lowercase(), 'a' | 'e' | 'i' | 'o' | 'u'))
        .count()
}

fn main() {
    for text in ["Programming Language", "rhythm", "AEIOU aeiou"] {
        println!("{text}: {}", count_vowels(text));
    }
}
