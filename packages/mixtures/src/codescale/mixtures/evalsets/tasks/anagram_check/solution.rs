/// Same letters with the same multiplicities, ignoring case and spaces.
fn are_anagrams(first: &str, second: &str) -> bool {
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
}

fn main() {
    for (first, second) in [("listen", "silent"), ("Dormitory", "dirty room"), ("hello", "world")] {
        let verdict = if are_anagrams(first, second) { "yes" } else { "no" };
        println!("{first} / {second}: {verdict}");
    }
}
