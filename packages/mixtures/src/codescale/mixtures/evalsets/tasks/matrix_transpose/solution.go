package main

import (
	"fmt"
	"strconv"
	"strings"
)

func transpose(matrix [][]int) [][]int {
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

func main() {
	grid := [][]int{{1, 2, 3}, {4, 5, 6}}
	for _, row := range transpose(grid) {
		cells := make([]string, len(row))
		for i, value := range row {
			cells[i] = strconv.Itoa(value)
		}
		fmt.Println(strings.Join(cells, " "))
	}
}
