from itertools import groupby


def encode(text: str) -> str:
    """Run-length encoding: every run of one character becomes its length followed by the character.

    >>> encode("aaab")
    '3a1b'
    """
# codescale: completion
    return "".join(f"{len(list(run))}{char}" for char, run in groupby(text))
# codescale: tests


def check(candidate):
    assert candidate("aaabccdddd") == "3a1b2c4d"
    assert candidate("wwwwwwwwwwwwb") == "12w1b"
    assert candidate("xyz") == "1x1y1z"
    assert candidate("") == ""


check(encode)
