use std::collections::HashMap;

/// The `k` most frequent words of `text` (split on whitespace, lower-cased) with their counts, most frequent first,
/// ties broken alphabetically.
fn top_words(text: &str, k: usize) -> Vec<(String, usize)> {
// codescale: completion
    let mut counts: HashMap<String, usize> = HashMap::new();
    for word in text.split_whitespace() {
        *counts.entry(word.to_lowercase()).or_insert(0) += 1;
    }
    let mut ranked: Vec<(String, usize)> = counts.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    ranked.truncate(k);
    ranked
// codescale: tests
}

fn pairs(items: &[(&str, usize)]) -> Vec<(String, usize)> {
    items.iter().map(|(word, count)| (word.to_string(), *count)).collect()
}

fn main() {
    let text = "The quick brown fox jumps over the lazy dog the fox saw the end";
    assert_eq!(top_words(text, 3), pairs(&[("the", 4), ("fox", 2), ("brown", 1)]));
    assert_eq!(top_words("b a c a b a", 2), pairs(&[("a", 3), ("b", 2)]));
    assert_eq!(top_words("one", 5), pairs(&[("one", 1)]));
}
