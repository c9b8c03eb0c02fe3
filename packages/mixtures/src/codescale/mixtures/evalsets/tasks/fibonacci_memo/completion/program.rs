use std::collections::HashMap;

/// The n-th Fibonacci number (fibonacci(0) = 0, fibonacci(1) = 1), remembering every value already computed in
/// `memo` so that large n stay fast.
fn fibonacci(n: u64, memo: &mut HashMap<u64, u64>) -> u64 {
// codescale: completion
    if n < 2 {
        return n;
    }
    if let Some(&value) = memo.get(&n) {
        return value;
    }
    let value = fibonacci(n - 1, memo) + fibonacci(n - 2, memo);
    memo.insert(n, value);
    value
// codescale: tests
}

fn main() {
    let mut memo = HashMap::new();
    assert_eq!(fibonacci(0, &mut memo), 0);
    assert_eq!(fibonacci(1, &mut memo), 1);
    assert_eq!(fibonacci(10, &mut memo), 55);
    assert_eq!(fibonacci(30, &mut memo), 832040);
    assert_eq!(fibonacci(50, &mut HashMap::new()), 12586269025);
    assert_eq!(fibonacci(90, &mut memo), 2880067194370816120);
}
