NUMERALS = [
    (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
    (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
]


def to_roman(number: int) -> str:
    """number (1 to 3999) in roman numerals, using the subtractive forms (IV, IX, XL, ...); ValueError outside
    that range.

    >>> to_roman(14)
    'XIV'
    """
# codescale: completion
    if not 0 < number < 4000:
        raise ValueError(f"{number} cannot be written in roman numerals")
    parts = []
    for value, symbol in NUMERALS:
        count, number = divmod(number, value)
        parts.append(symbol * count)
    return "".join(parts)
# codescale: tests


def check(candidate):
    assert candidate(1994) == "MCMXCIV"
    assert candidate(2024) == "MMXXIV"
    assert candidate(3999) == "MMMCMXCIX"
    assert candidate(4) == "IV"
    try:
        candidate(0)
    except ValueError:
        pass
    else:
        raise AssertionError("0 must raise ValueError")


check(to_roman)
