/// A value that is either a number or a list of further nested values.
enum Nested {
    Item(i32),
    List(Vec<Nested>),
}

/// All numbers of a nested list, left to right.
fn flatten(nested: &[Nested]) -> Vec<i32> {
// codescale: completion
    let mut flat = Vec::new();
    for item in nested {
        match item {
            Nested::Item(value) => flat.push(*value),
            Nested::List(inner) => flat.extend(flatten(inner)),
        }
    }
    flat
// codescale: tests
}

fn main() {
    use Nested::{Item, List};
    let nested = vec![
        Item(1),
        List(vec![Item(2), Item(3)]),
        List(vec![]),
        List(vec![Item(4), List(vec![Item(5), List(vec![Item(6)])])]),
        Item(7),
    ];
    assert_eq!(flatten(&nested), vec![1, 2, 3, 4, 5, 6, 7]);
    assert!(flatten(&[]).is_empty());
    assert!(flatten(&[List(vec![List(vec![])])]).is_empty());
}
