/// The characters of `text` in reverse order.
fn reverse(text: &str) -> String {
// codescale: completion
    text.chars().rev().collect()
// codescale: tests
}

fn main() {
    assert_eq!(reverse("stressed"), "desserts");
    assert_eq!(reverse("hello, world"), "dlrow ,olleh");
    assert_eq!(reverse("a"), "a");
    assert_eq!(reverse(""), "");
}
