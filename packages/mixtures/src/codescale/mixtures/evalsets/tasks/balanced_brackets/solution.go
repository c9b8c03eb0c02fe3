package main

import "fmt"

var openerOf = map[rune]rune{')': '(', ']': '[', '}': '{'}

func isBalanced(text string) bool {
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

func main() {
	for _, text := range []string{"([]{})", "([)]", "((", "{[()()]}", "a(b)c]"} {
		verdict := "unbalanced"
		if isBalanced(text) {
			verdict = "balanced"
		}
		fmt.Printf("%s: %s\n", text, verdict)
	}
}
