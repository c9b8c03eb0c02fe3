def digit_sum(number: int) -> int:
    total = 0
    number = abs(number)
    while number > 0:
        number, digit = divmod(number, 10)
        total += digit
    return total


def digital_root(number: int) -> int:
    """Repeat digit_sum on the non-negative number until a single digit is left.

    >>> digital_root(38)
    2
    """
# codescale: completion
    while number >= 10:
        number = digit_sum(number)
    return number
# codescale: tests


def check(candidate):
    assert candidate(9875) == 2
    assert candidate(0) == 0
    assert candidate(123456789) == 9
    assert candidate(7) == 7
    assert digit_sum(9875) == 29


check(digital_root)
