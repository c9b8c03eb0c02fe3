def merge(left: list[int], right: list[int]) -> list[int]:
    """Merge two ascending lists into one ascending list holding every element of both.

    >>> merge([1, 3], [2])
    [1, 2, 3]
    """
# codescale: completion
    merged = []
    i = j = 0
    while i < len(left) and j < len(right):
        if left[i] <= right[j]:
            merged.append(left[i])
            i += 1
        else:
            merged.append(right[j])
            j += 1
    merged.extend(left[i:])
    merged.extend(right[j:])
    return merged
# codescale: tests


def check(candidate):
    assert candidate([1, 4, 7, 10], [2, 3, 8, 12, 15]) == [1, 2, 3, 4, 7, 8, 10, 12, 15]
    assert candidate([], [5, 6]) == [5, 6]
    assert candidate([1, 1], [1]) == [1, 1, 1]
    assert candidate([], []) == []


check(merge)
