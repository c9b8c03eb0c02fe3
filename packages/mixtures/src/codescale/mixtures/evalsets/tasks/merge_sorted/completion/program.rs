/// Merge two ascending slices into one ascending vector holding every element of both.
fn merge(left: &[i32], right: &[i32]) -> Vec<i32> {
// codescale: completion
    let mut merged = Vec::with_capacity(left.len() + right.len());
    let (mut i, mut j) = (0, 0);
    while i < left.len() && j < right.len() {
        if left[i] <= right[j] {
            merged.push(left[i]);
            i += 1;
        } else {
            merged.push(right[j]);
            j += 1;
        }
    }
    merged.extend_from_slice(&left[i..]);
    merged.extend_from_slice(&right[j..]);
    merged
// codescale: tests
}

fn main() {
    assert_eq!(merge(&[1, 4, 7, 10], &[2, 3, 8, 12, 15]), vec![1, 2, 3, 4, 7, 8, 10, 12, 15]);
    assert_eq!(merge(&[], &[5, 6]), vec![5, 6]);
    assert_eq!(merge(&[1, 1], &[1]), vec![1, 1, 1]);
    assert!(merge(&[], &[]).is_empty());
}
