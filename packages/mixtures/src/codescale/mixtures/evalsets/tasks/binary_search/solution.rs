use std::cmp::Ordering;

/// Index of `target` in the ascending slice `items`, if present.
fn binary_search(items: &[i32], target: i32) -> Option<usize> {
    let (mut low, mut high) = (0, items.len());
    while low < high {
        let mid = low + (high - low) / 2;
        match items[mid].cmp(&target) {
            Ordering::Equal => return Some(mid),
            Ordering::Less => low = mid + 1,
            Ordering::Greater => high = mid,
        }
    }
    None
}

fn main() {
    let primes = [2, 3, 5, 7, 11, 13, 17, 19, 23];
    for target in [7, 2, 23, 4] {
        let index = binary_search(&primes, target).map_or(-1, |i| i as i64);
        println!("{target} -> {index}");
    }
}
