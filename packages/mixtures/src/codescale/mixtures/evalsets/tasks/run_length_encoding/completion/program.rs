/// Run-length encoding: every run of one character becomes its length followed by the character.
fn encode(text: &str) -> String {
// codescale: completion
    let mut encoded = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let mut run = 1;
        while chars.peek() == Some(&c) {
            chars.next();
            run += 1;
        }
        encoded.push_str(&format!("{run}{c}"));
    }
    encoded
// codescale: tests
}

fn main() {
    assert_eq!(encode("aaabccdddd"), "3a1b2c4d");
    assert_eq!(encode("wwwwwwwwwwwwb"), "12w1b");
    assert_eq!(encode("xyz"), "1x1y1z");
    assert_eq!(encode(""), "");
}
