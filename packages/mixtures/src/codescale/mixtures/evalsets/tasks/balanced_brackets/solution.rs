fn is_balanced(text: &str) -> bool {
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
}

fn main() {
    for text in ["([]{})", "([)]", "((", "{[()()]}", "a(b)c]"] {
        let verdict = if is_balanced(text) { "balanced" } else { "unbalanced" };
        println!("{text}: {verdict}");
    }
}
