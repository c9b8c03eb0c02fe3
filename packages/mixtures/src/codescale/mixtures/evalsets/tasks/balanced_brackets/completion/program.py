PAIRS = {")": "(", "]": "[", "}": "{"}


def is_balanced(text: str) -> bool:
    """True when every bracket of (), [] and {} in text is closed in the right order; other characters are ignored.

    >>> is_balanced("([]{})")
    True
    """
# codescale: completion
    stack = []
    for char in text:
        if char in "([{":
            stack.append(char)
        elif char in PAIRS:
            if not stack or stack.pop() != PAIRS[char]:
                return False
    return not stack
# codescale: tests


def check(candidate):
    assert candidate("([]{})") is True
    assert candidate("([)]") is False
    assert candidate("((") is False
    assert candidate("{[()()]}") is True
    assert candidate("a(b)c]") is False
    assert candidate("") is True


check(is_balanced)
