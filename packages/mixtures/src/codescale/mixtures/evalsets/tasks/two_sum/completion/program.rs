use std::collections::HashMap;

/// Indices (i, j), i < j, with numbers[i] + numbers[j] == target (the first such j, then its partner), found in
/// one pass with a hash map; None when no pair adds up.
fn two_sum(numbers: &[i32], target: i32) -> Option<(usize, usize)> {
// codescale: completion
    let mut seen = HashMap::new();
    for (i, &n) in numbers.iter().enumerate() {
        if let Some(&j) = seen.get(&(target - n)) {
            return Some((j, i));
        }
        seen.insert(n, i);
    }
    None
// codescale: tests
}

fn main() {
    assert_eq!(two_sum(&[2, 7, 11, 15], 9), Some((0, 1)));
    assert_eq!(two_sum(&[3, 2, 4], 6), Some((1, 2)));
    assert_eq!(two_sum(&[1, 2, 3], 7), None);
    assert_eq!(two_sum(&[3, 3], 6), Some((0, 1)));
}
