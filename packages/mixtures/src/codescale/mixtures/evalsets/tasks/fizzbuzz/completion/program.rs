/// The words for 1..=n: multiples of 15 become "FizzBuzz", other multiples of 3 "Fizz", other multiples of 5
/// "Buzz", and every other number is written in digits.
fn fizzbuzz(n: u32) -> Vec<String> {
// codescale: completion
    (1..=n)
        .map(|i| match (i % 3, i % 5) {
            (0, 0) => "FizzBuzz".to_string(),
            (0, _) => "Fizz".to_string(),
            (_, 0) => "Buzz".to_string(),
            _ => i.to_string(),
        })
        .collect()
// codescale: tests
}

fn main() {
    assert_eq!(fizzbuzz(15).join(" "), "1 2 Fizz 4 Buzz Fizz 7 8 Fizz Buzz 11 Fizz 13 14 FizzBuzz");
    assert_eq!(fizzbuzz(1), vec!["1".to_string()]);
    assert!(fizzbuzz(0).is_empty());
    assert_eq!(fizzbuzz(30)[29], "FizzBuzz");
}
