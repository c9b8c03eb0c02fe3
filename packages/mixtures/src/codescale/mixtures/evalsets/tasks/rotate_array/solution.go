package main

import (
	"fmt"
	"strconv"
	"strings"
)

// rotateRight returns a copy of values rotated steps places to the right (wrapping around).
func rotateRight(values []int, steps int) []int {
	if len(values) == 0 {
		return nil
	}
	cut := len(values) - steps%len(values)
	rotated := make([]int, 0, len(values))
	rotated = append(rotated, values[cut:]...)
	return append(rotated, values[:cut]...)
}

func main() {
	numbers := []int{1, 2, 3, 4, 5, 6, 7}
	for _, steps := range []int{3, 10, 0} {
		var words []string
		for _, n := range rotateRight(numbers, steps) {
			words = append(words, strconv.Itoa(n))
		}
		fmt.Printf("rotate by %d: %s\n", steps, strings.Join(words, " "))
	}
}
