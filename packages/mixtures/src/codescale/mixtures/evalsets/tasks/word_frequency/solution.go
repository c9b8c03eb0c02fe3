package main

import (
	"fmt"
	"sort"
	"strings"
)

type wordCount struct {
	word  string
	count int
}

// topWords returns the k most frequent words of text (lower-cased), ties broken alphabetically.
func topWords(text string, k int) []wordCount {
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

func main() {
	text := "The quick brown fox jumps over the lazy dog the fox saw the end"
	for _, wc := range topWords(text, 3) {
		fmt.Printf("%s: %d\n", wc.word, wc.count)
	}
}
