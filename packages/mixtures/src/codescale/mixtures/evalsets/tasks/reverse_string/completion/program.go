package main

// reverse returns the characters (runes) of text in reverse order.
func reverse(text string) string {
// codescale: completion
	runes := []rune(text)
	for i, j := 0, len(runes)-1; i < j; i, j = i+1, j-1 {
		runes[i], runes[j] = runes[j], runes[i]
	}
	return string(runes)
}
// codescale: tests

func check(ok bool, what string) {
	if !ok {
		panic("check failed: " + what)
	}
}

func main() {
	check(reverse("stressed") == "desserts", "stressed")
	check(reverse("hello, world") == "dlrow ,olleh", "hello, world")
	check(reverse("a") == "a", "a")
	check(reverse("") == "", "empty")
}
