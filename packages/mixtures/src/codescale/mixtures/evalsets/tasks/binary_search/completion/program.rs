use std::cmp::Ordering;

/// Index of `target` in the ascending slice `items`, or None when it is absent.
fn binary_search(items: &[i32], target: i32) -> Option<usize> {
// codescale: completion
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
// codescale: tests
}

fn main() {
    let primes = [2, 3, 5, 7, 11, 13, 17, 19, 23];
    assert_eq!(binary_search(&primes, 7), Some(3));
    assert_eq!(binary_search(&primes, 2), Some(0));
    assert_eq!(binary_search(&primes, 23), Some(8));
    assert_eq!(binary_search(&primes, 4), None);
    assert_eq!(binary_search(&[], 1), None);
}
