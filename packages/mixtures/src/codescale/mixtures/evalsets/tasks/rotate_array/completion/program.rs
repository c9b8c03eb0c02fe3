/// A copy of `values` rotated `steps` places to the right, wrapping around (steps may exceed the length).
fn rotate_right(values: &[i32], steps: usize) -> Vec<i32> {
// codescale: completion
    let mut rotated = values.to_vec();
    if !rotated.is_empty() {
        let len = rotated.len();
        rotated.rotate_right(steps % len);
    }
    rotated
// codescale: tests
}

fn main() {
    let numbers = [1, 2, 3, 4, 5, 6, 7];
    assert_eq!(rotate_right(&numbers, 3), vec![5, 6, 7, 1, 2, 3, 4]);
    assert_eq!(rotate_right(&numbers, 10), vec![5, 6, 7, 1, 2, 3, 4]);
    assert_eq!(rotate_right(&numbers, 0), numbers.to_vec());
    assert!(rotate_right(&[], 4).is_empty());
}
