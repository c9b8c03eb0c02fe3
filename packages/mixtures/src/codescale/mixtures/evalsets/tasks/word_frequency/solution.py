from collections import Counter


def top_words(text: str, k: int) -> list[tuple[str, int]]:
    """The k most frequent words of text (lower-cased), ties broken alphabetically."""
    counts = Counter(text.lower().split())
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:k]


if __name__ == "__main__":
    text = "The quick brown fox jumps over the lazy dog the fox saw the end"
    for word, count in top_words(text, 3):
        print(f"{word}: {count}")
