/// Sieve of Eratosthenes: every prime p with 2 <= p <= limit.
fn primes_up_to(limit: usize) -> Vec<usize> {
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
}

fn main() {
    let small: Vec<String> = primes_up_to(50).iter().map(|p| p.to_string()).collect();
    println!("{}", small.join(" "));
    println!("primes below 1000: {}", primes_up_to(999).len());
}
