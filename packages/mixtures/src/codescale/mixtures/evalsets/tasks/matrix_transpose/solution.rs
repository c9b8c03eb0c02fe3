fn transpose(matrix: &[Vec<i32>]) -> Vec<Vec<i32>> {
    let columns = matrix.first().map_or(0, |row| row.len());
    (0..columns)
        .map(|c| matrix.iter().map(|row| row[c]).collect())
        .collect()
}

fn main() {
    let grid = vec![vec![1, 2, 3], vec![4, 5, 6]];
    for row in transpose(&grid) {
        let cells: Vec<String> = row.iter().map(|value| value.to_string()).collect();
        println!("{}", cells.join(" "));
    }
}
