/// Largest sum of a non-empty contiguous run (Kadane's algorithm); `None` for an empty slice.
fn max_subarray_sum(values: &[i32]) -> Option<i32> {
    let (&first, rest) = values.split_first()?;
    let (mut best, mut current) = (first, first);
    for &value in rest {
        current = value.max(current + value);
        best = best.max(current);
    }
    Some(best)
}

fn main() {
    let inputs: [&[i32]; 3] = [&[-2, 1, -3, 4, -1, 2, 1, -5, 4], &[-3, -1, -2], &[5]];
    for values in inputs {
        if let Some(best) = max_subarray_sum(values) {
            println!("{values:?} -> {best}");
        }
    }
}
