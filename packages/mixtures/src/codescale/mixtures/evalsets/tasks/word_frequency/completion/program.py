from collections import Counter


def top_words(text: str, k: int) -> list[tuple[str, int]]:
    """The k most frequent words of text (split on whitespace, lower-cased) with their counts, most frequent first,
    ties broken alphabetically.

    >>> top_words("b a b", 2)
    [('b', 2), ('a', 1)]
    """
# codescale: completion
    counts = Counter(text.lower().split())
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:k]
# codescale: tests


def check(candidate):
    text = "The quick brown fox jumps over the lazy dog the fox saw the end"
    assert candidate(text, 3) == [("the", 4), ("fox", 2), ("brown", 1)]
    assert candidate("b a c a b a", 2) == [("a", 3), ("b", 2)]
    assert candidate("one", 5) == [("one", 1)]


check(top_words)
