/// Sieve of Eratosthenes: every prime p with 2 <= p <= limit, ascending.
fn primes_up_to(limit: usize) -> Vec<usize> {
// codescale: completion
    if limit < 2 {
        return Vec::new();
    }
    let mut is_prime = vec![true; limit + 1];
    is_prime[0] = false;
    is_prime[1] = false;
    let mut p = 2;
    while p * p <= limit {
        if is_prime[p] {
            for multiple in (p * p..=limit).step_by(p) {
                is_prime[multiple] = false;
            }
        }
        p += 1;
    }
    (0..=limit).filter(|&n| is_prime[n]).collect()
// codescale: tests
}

fn main() {
    assert_eq!(primes_up_to(50), vec![2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47]);
    assert_eq!(primes_up_to(999).len(), 168);
    assert!(primes_up_to(1).is_empty());
    assert_eq!(primes_up_to(2), vec![2]);
}
