def rotate_right(values: list[int], steps: int) -> list[int]:
    """A copy of values rotated steps places to the right, wrapping around (steps may exceed the length).

    >>> rotate_right([1, 2, 3], 1)
    [3, 1, 2]
    """
# codescale: completion
    if not values:
        return []
    steps %= len(values)
    return values[-steps:] + values[:-steps]
# codescale: tests


def check(candidate):
    numbers = [1, 2, 3, 4, 5, 6, 7]
    assert candidate(numbers, 3) == [5, 6, 7, 1, 2, 3, 4]
    assert candidate(numbers, 10) == [5, 6, 7, 1, 2, 3, 4]
    assert candidate(numbers, 0) == numbers
    assert candidate([], 4) == []
    assert numbers == [1, 2, 3, 4, 5, 6, 7]


check(rotate_right)
