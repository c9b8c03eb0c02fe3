package main

// flatten returns all ints of an arbitrarily nested []any, left to right.
func flatten(nested []any) []int {
// codescale: completion
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
// codescale: tests

func check(ok bool, what string) {
	if !ok {
		panic("check failed: " + what)
	}
}

func sameInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func main() {
	nested := []any{1, []any{2, 3}, []any{}, []any{4, []any{5, []any{6}}}, 7}
	check(sameInts(flatten(nested), []int{1, 2, 3, 4, 5, 6, 7}), "nested")
	check(len(flatten([]any{})) == 0, "empty")
	check(len(flatten([]any{[]any{[]any{}}})) == 0, "only lists")
}
