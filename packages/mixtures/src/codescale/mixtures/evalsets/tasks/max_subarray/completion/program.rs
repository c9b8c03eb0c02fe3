/// Largest sum of a non-empty contiguous run of `values` (Kadane's algorithm); `None` for an empty slice.
fn max_subarray_sum(values: &[i32]) -> Option<i32> {
// codescale: completion
    let (&first, rest) = values.split_first()?;
    let (mut best, mut current) = (first, first);
    for &value in rest {
        current = value.max(current + value);
        best = best.max(current);
    }
    Some(best)
// codescale: tests
}

fn main() {
    assert_eq!(max_subarray_sum(&[-2, 1, -3, 4, -1, 2, 1, -5, 4]), Some(6));
    assert_eq!(max_subarray_sum(&[-3, -1, -2]), Some(-1));
    assert_eq!(max_subarray_sum(&[5]), Some(5));
    assert_eq!(max_subarray_sum(&[2, -1, 2]), Some(3));
    assert_eq!(max_subarray_sum(&[]), None);
}
