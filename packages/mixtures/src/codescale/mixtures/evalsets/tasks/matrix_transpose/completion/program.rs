/// The transpose of a rectangular matrix given as rows: row i of the result is column i of `matrix`.
fn transpose(matrix: &[Vec<i32>]) -> Vec<Vec<i32>> {
// codescale: completion
    let columns = matrix.first().map_or(0, |row| row.len());
    (0..columns)
        .map(|c| matrix.iter().map(|row| row[c]).collect())
        .collect()
// codescale: tests
}

fn main() {
    assert_eq!(transpose(&[vec![1, 2, 3], vec![4, 5, 6]]), vec![vec![1, 4], vec![2, 5], vec![3, 6]]);
    assert_eq!(transpose(&[vec![7]]), vec![vec![7]]);
    assert_eq!(transpose(&[vec![1, 2, 3]]), vec![vec![1], vec![2], vec![3]]);
    assert!(transpose(&[]).is_empty());
}
