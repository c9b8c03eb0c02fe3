fn reverse(text: &str) -> String {
    text.chars().rev().collect()
}

fn main() {
    for word in ["stressed", "hello, world", "a"] {
        println!("{} -> {}", word, reverse(word));
    }
}
