def is_leap_year(year: int) -> bool:
    """Gregorian rule: every fourth year is a leap year, except centuries not divisible by 400.

    >>> is_leap_year(2024)
    True
    """
# codescale: completion
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
# codescale: tests


def check(candidate):
    assert candidate(1900) is False
    assert candidate(2000) is True
    assert candidate(2023) is False
    assert candidate(2024) is True
    assert candidate(2100) is False


check(is_leap_year)
