def max_subarray_sum(values: list[int]) -> int:
    """Largest sum of a non-empty contiguous run of values (Kadane's algorithm); ValueError when values is empty.

    >>> max_subarray_sum([1, -2, 3])
    3
    """
# codescale: completion
    if not values:
        raise ValueError("max_subarray_sum() needs at least one value")
    best = current = values[0]
    for value in values[1:]:
        current = max(value, current + value)
        best = max(best, current)
    return best
# codescale: tests


def check(candidate):
    assert candidate([-2, 1, -3, 4, -1, 2, 1, -5, 4]) == 6
    assert candidate([-3, -1, -2]) == -1
    assert candidate([5]) == 5
    assert candidate([2, -1, 2]) == 3
    try:
        candidate([])
    except ValueError:
        pass
    else:
        raise AssertionError("an empty list must raise ValueError")


check(max_subarray_sum)
