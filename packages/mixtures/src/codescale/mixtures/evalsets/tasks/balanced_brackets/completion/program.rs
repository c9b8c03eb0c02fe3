/// True when every bracket of (), [] and {} in `text` is closed in the right order; other characters are ignored.
fn is_balanced(text: &str) -> bool {
// codescale: completion
    let mut stack = Vec::new();
    for c in text.chars() {
        match c {
            '(' | '[' | '{' => stack.push(c),
            ')' | ']' | '}' => {
                let expected = match c {
                    ')' => '(',
                    ']' => '[',
                    _ => '{',
                };
                if stack.pop() != Some(expected) {
                    return false;
                }
            }
            _ => {}
        }
    }
    stack.is_empty()
// codescale: tests
}

fn main() {
    assert!(is_balanced("([]{})"));
    assert!(!is_balanced("([)]"));
    assert!(!is_balanced("(("));
    assert!(is_balanced("{[()()]}"));
    assert!(!is_balanced("a(b)c]"));
    assert!(is_balanced(""));
}
