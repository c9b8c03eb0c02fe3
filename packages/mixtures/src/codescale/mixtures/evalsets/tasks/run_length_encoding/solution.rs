fn encode(text: &str) -> String {
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
}

fn decode(encoded: &str) -> String {
    let mut decoded = String::new();
    let mut count = 0usize;
    for c in encoded.chars() {
        match c.to_digit(10) {
            Some(digit) => count = count * 10 + digit as usize,
            None => {
                decoded.extend(std::iter::repeat(c).take(count));
                count = 0;
            }
        }
    }
    decoded
}

fn main() {
    for text in ["aaabccdddd", "wwwwwwwwwwwwb", "xyz"] {
        let packed = encode(text);
        println!("{text} -> {packed} -> {}", decode(&packed));
    }
}
