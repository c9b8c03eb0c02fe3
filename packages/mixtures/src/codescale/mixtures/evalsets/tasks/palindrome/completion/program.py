def is_palindrome(text: str) -> bool:
    """True when text reads the same backwards, ignoring case and anything but letters and digits.

    >>> is_palindrome("Abba!")
    True
    """
# codescale: completion
    cleaned = [c.lower() for c in text if c.isalnum()]
    return cleaned == cleaned[::-1]
# codescale: tests


def check(candidate):
    assert candidate("A man, a plan, a canal: Panama") is True
    assert candidate("race a car") is False
    assert candidate("No lemon, no melon") is True
    assert candidate("") is True
    assert candidate("ab") is False


check(is_palindrome)
