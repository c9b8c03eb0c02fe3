package main

import (
	"sort"
	"strings"
)

type wordCount struct {
	word  string
	count int
}

// topWords returns the k most frequent words of text (split on whitespace, lower-cased) with their counts, most
// frequent first, ties broken alphabetically.
func topWords(text string, k int) []wordCount {
// codescale: completion
	counts := make(map[string]int)
	for _, word := range strings.Fields(strings.ToLower(text)) {
		counts[word]++
	}
	ranked := make([]wordCount, 0, len(counts))
	for word, count := range counts {
		ranked = append(ranked, wordCount{word, count})
	}
	sort.Slice(ranked, func(i, j int) bool {
		if ranked[i].count != ranked[j].count {
			return ranked[i].count > ranked[j].count
		}
		return ranked[i].word < ranked[j].word
	})
	if len(ranked) > k {
		ranked = ranked[:k]
	}
	return ranked
}
// codescale: tests

func check(ok bool, what string) {
	if !ok {
		panic("check failed: " + what)
	}
}

func render(counts []wordCount) string {
	parts := make([]string, len(counts))
	for i, wc := range counts {
		parts[i] = wc.word + "=" + strings.Repeat("|", wc.count)
	}
	return strings.Join(parts, " ")
}

func main() {
	text := "The quick brown fox jumps over the lazy dog the fox saw the end"
	check(render(topWords(text, 3)) == "the=|||| fox=|| brown=|", "sentence")
	check(render(topWords("b a c a b a", 2)) == "a=||| b=||", "ties")
	check(render(topWords("one", 5)) == "one=|", "k larger than the vocabulary")
}
