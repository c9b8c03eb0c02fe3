package main

var openerOf = map[rune]rune{')': '(', ']': '[', '}': '{'}

// isBalanced reports whether every bracket of (), [] and {} in text is closed in the right order; other characters
// are ignored.
func isBalanced(text string) bool {
// codescale: completion
	var stack []rune
	for _, r := range text {
		switch r {
		case '(', '[', '{':
			stack = append(stack, r)
		case ')', ']', '}':
			if len(stack) == 0 || stack[len(stack)-1] != openerOf[r] {
				return false
			}
			stack = stack[:len(stack)-1]
		}
	}
	return len(stack) == 0
}
// codescale: tests

func check(ok bool, what string) {
	if !ok {
		panic("check failed: " + what)
	}
}

func main() {
	check(isBalanced("([]{})"), "([]{})")
	check(!isBalanced("([)]"), "([)]")
	check(!isBalanced("(("), "((")
	check(isBalanced("{[()()]}"), "{[()()]}")
	check(!isBalanced("a(b)c]"), "a(b)c]")
	check(isBalanced(""), "empty")
}
