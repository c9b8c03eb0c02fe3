from collections import Counter


def are_anagrams(first: str, second: str) -> bool:
    """True when both texts have the same letters with the same multiplicities, ignoring case and spaces.

    >>> are_anagrams("listen", "silent")
    True
    """
# codescale: completion
    def letters(text: str) -> Counter:
        return Counter(text.lower().replace(" ", ""))

    return letters(first) == letters(second)
# codescale: tests


def check(candidate):
    assert candidate("listen", "silent") is True
    assert candidate("Dormitory", "dirty room") is True
    assert candidate("hello", "world") is False
    assert candidate("aab", "abb") is False
    assert candidate("", "  ") is True


check(are_anagrams)
