VOWELS = set("aeiou")


def count_vowels(text: str) -> int:
    """How many characters of text are vowels (a, e, i, o, u), in either case.

    >>> count_vowels("Banana")
    3
    """
# codescale: completion
    return sum(1 for char in text.lower() if char in VOWELS)
# codescale: tests


def check(candidate):
    assert candidate("Programming Language") == 7
    assert candidate("rhythm") == 0
    assert candidate("AEIOU aeiou") == 10
    assert candidate("") == 0


check(count_vowels)
