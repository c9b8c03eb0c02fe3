use std::collections::HashMap;

/// Indices i < j with numbers[i] + numbers[j] == target, found in one pass with a hash map.
fn two_sum(numbers: &[i32], target: i32) -> Option<(usize, usize)> {
    let mut seen = HashMap::new();
    for (i, &n) in numbers.iter().enumerate() {
        if let Some(&j) = seen.get(&(target - n)) {
            return Some((j, i));
        }
        seen.insert(n, i);
    }
    None
}

fn main() {
    let cases: [(&[i32], i32); 3] = [(&[2, 7, 11, 15], 9), (&[3, 2, 4], 6), (&[1, 2, 3], 7)];
    for (numbers, target) in cases {
        match two_sum(numbers, target) {
            Some((i, j)) => println!("target {target}: {i} {j}"),
            None => println!("target {target}: none"),
        }
    }
}
