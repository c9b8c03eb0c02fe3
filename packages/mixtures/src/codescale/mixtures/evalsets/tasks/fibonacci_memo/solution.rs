use std::collections::HashMap;

/// The n-th Fibonacci number, remembering every value already computed in `memo`.
fn fibonacci(n: u64, memo: &mut HashMap<u64, u64>) -> u64 {
    if n < 2 {
        return n;
    }
    if let Some(&value) = memo.get(&n) {
        return value;
    }
    let value = fibonacci(n - 1, memo) + fibonacci(n - 2, memo);
    memo.insert(n, value);
    value
}

fn main() {
    let mut memo = HashMap::new();
    for n in [10, 30, 50] {
        println!("fib({n}) = {}", fibonacci(n, &mut memo));
    }
}
