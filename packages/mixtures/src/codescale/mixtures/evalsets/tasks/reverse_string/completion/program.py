def reverse(text: str) -> str:
    """The characters of text in reverse order.

    >>> reverse("abc")
    'cba'
    """
# codescale: completion
    return text[::-1]
# codescale: tests


def check(candidate):
    assert candidate("stressed") == "desserts"
    assert candidate("hello, world") == "dlrow ,olleh"
    assert candidate("a") == "a"
    assert candidate("") == ""


check(reverse)
