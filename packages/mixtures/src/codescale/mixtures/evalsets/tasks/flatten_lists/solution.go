package main

import (
	"fmt"
	"strconv"
	"strings"
)

// flatten returns all ints of an arbitrarily nested []any, left to right.
func flatten(nested []any) []int {
	var flat []int
	for _, item := range nested {
		switch v := item.(type) {
		case []any:
			flat = append(flat, flatten(v)...)
		case int:
			flat = append(flat, v)
		}
	}
	return flat
}

func main() {
	nested := []any{1, []any{2, 3}, []any{}, []any{4, []any{5, []any{6}}}, 7}
	var parts []string
	for _, v := range flatten(nested) {
		parts = append(parts, strconv.Itoa(v))
	}
	fmt.Printf("[%s]\n", strings.Join(parts, ", "))
}
