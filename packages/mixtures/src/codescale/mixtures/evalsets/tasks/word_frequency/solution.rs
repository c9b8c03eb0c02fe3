use std::collections::HashMap;

/// The `k` most frequent words of `text` (lower-cased), ties broken alphabetically.
fn top_words(text: &str, k: usize) -> Vec<(String, usize)> {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for word in text.split_whitespace() {
        *counts.entry(word.to_lowercase()).or_insert(0) += 1;
    }
    let mut ranked: Vec<(String, usize)> = counts.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    ranked.truncate(k);
    ranked
}

fn main() {
    let text = "The quick brown fox jumps over the lazy dog the fox saw the end";
    for (word, count) in top_words(text, 3) {
        println!("{word}: {count}");
    }
}
