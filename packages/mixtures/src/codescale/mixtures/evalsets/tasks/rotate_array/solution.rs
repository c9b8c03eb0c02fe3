/// A copy of `values` rotated `steps` places to the right (wrapping around).
fn rotate_right(values: &[i32], steps: usize) -> Vec<i32> {
    let mut rotated = values.to_vec();
    if !rotated.is_empty() {
        let len = rotated.len();
        rotated.rotate_right(steps % len);
    }
    rotated
}

fn main() {
    let numbers = [1, 2, 3, 4, 5, 6, 7];
    for steps in [3, 10, 0] {
        let line: Vec<String> = rotate_right(&numbers, steps).iter().map(i32::to_string).collect();
        println!("rotate by {steps}: {}", line.join(" "));
    }
}
