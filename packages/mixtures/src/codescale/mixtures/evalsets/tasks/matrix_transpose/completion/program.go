package main

// transpose returns the transpose of a rectangular matrix given as a slice of rows: row i of the result is column
// i of matrix.
func transpose(matrix [][]int) [][]int {
// codescale: completion
	if len(matrix) == 0 {
		return nil
	}
	result := make([][]int, len(matrix[0]))
	for c := range result {
		result[c] = make([]int, len(matrix))
		for r, row := range matrix {
			result[c][r] = row[c]
		}
	}
	return result
}
// codescale: tests

func check(ok bool, what string) {
	if !ok {
		panic("check failed: " + what)
	}
}

func sameMatrix(a, b [][]int) bool {
	if len(a) != len(b) {
		return false
	}
	for r := range a {
		if len(a[r]) != len(b[r]) {
			return false
		}
		for c := range a[r] {
			if a[r][c] != b[r][c] {
				return false
			}
		}
	}
	return true
}

func main() {
	check(sameMatrix(transpose([][]int{{1, 2, 3}, {4, 5, 6}}), [][]int{{1, 4}, {2, 5}, {3, 6}}), "2x3")
	check(sameMatrix(transpose([][]int{{7}}), [][]int{{7}}), "1x1")
	check(sameMatrix(transpose([][]int{{1, 2, 3}}), [][]int{{1}, {2}, {3}}), "1x3")
	check(len(transpose(nil)) == 0, "empty")
}
