def caesar(text: str, shift: int) -> str:
    """Shift every ASCII letter of text by shift places (negative: backwards), keeping its case; other characters
    pass through unchanged.

    >>> caesar("abc", 1)
    'bcd'
    """
# codescale: completion
    shifted = []
    for char in text:
        if char.isascii() and char.isalpha():
            base = ord("A") if char.isupper() else ord("a")
            shifted.append(chr((ord(char) - base + shift) % 26 + base))
        else:
            shifted.append(char)
    return "".join(shifted)
# codescale: tests


def check(candidate):
    assert candidate("Hello, World!", 3) == "Khoor, Zruog!"
    assert candidate("Khoor, Zruog!", -3) == "Hello, World!"
    assert candidate("xyz ABC", 30) == "bcd EFG"
    assert candidate("", 5) == ""


check(caesar)
