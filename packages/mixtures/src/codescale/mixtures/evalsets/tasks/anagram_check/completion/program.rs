/// True when both texts have the same letters with the same multiplicities, ignoring case and spaces.
fn are_anagrams(first: &str, second: &str) -> bool {
// codescale: completion
    fn sorted_letters(text: &str) -> Vec<char> {
        let mut letters: Vec<char> = text
            .chars()
            .filter(|c| *c != ' ')
            .flat_map(char::to_lowercase)
            .collect();
        letters.sort_unstable();
        letters
    }
    sorted_letters(first) == sorted_letters(second)
// codescale: tests
}

fn main() {
    assert!(are_anagrams("listen", "silent"));
    assert!(are_anagrams("Dormitory", "dirty room"));
    assert!(!are_anagrams("hello", "world"));
    assert!(!are_anagrams("aab", "abb"));
    assert!(are_anagrams("", "  "));
}
