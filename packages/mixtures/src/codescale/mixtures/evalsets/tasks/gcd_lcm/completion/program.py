def gcd(a: int, b: int) -> int:
    """Greatest common divisor of the non-negative integers a and b, by Euclid's algorithm (gcd(a, 0) = a).

    >>> gcd(12, 18)
    6
    """
# codescale: completion
    while b:
        a, b = b, a % b
    return a
# codescale: tests


def check(candidate):
    assert candidate(48, 18) == 6
    assert candidate(17, 5) == 1
    assert candidate(100, 75) == 25
    assert candidate(7, 0) == 7

    def lcm(a, b):
        return a // candidate(a, b) * b

    assert lcm(48, 18) == 144
    assert lcm(17, 5) == 85
    assert lcm(100, 75) == 300


check(gcd)
