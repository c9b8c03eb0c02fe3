def two_sum(numbers: list[int], target: int) -> tuple[int, int] | None:
    """Indices (i, j), i < j, with numbers[i] + numbers[j] == target (the first such j, then its partner), found in
    one pass with a hash map; None when no pair adds up.

    >>> two_sum([2, 7, 11], 9)
    (0, 1)
    """
# codescale: completion
    seen: dict[int, int] = {}
    for index, number in enumerate(numbers):
        partner = target - number
        if partner in seen:
            return seen[partner], index
        seen[number] = index
    return None
# codescale: tests


def check(candidate):
    assert candidate([2, 7, 11, 15], 9) == (0, 1)
    assert candidate([3, 2, 4], 6) == (1, 2)
    assert candidate([1, 2, 3], 7) is None
    assert candidate([3, 3], 6) == (0, 1)


check(two_sum)
