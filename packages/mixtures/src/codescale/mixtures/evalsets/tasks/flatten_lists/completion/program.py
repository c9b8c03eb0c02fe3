def flatten(nested: list) -> list:
    """All non-list items of an arbitrarily nested list, left to right.

    >>> flatten([1, [2, [3]]])
    [1, 2, 3]
    """
# codescale: completion
    flat = []
    for item in nested:
        if isinstance(item, list):
            flat.extend(flatten(item))
        else:
            flat.append(item)
    return flat
# codescale: tests


def check(candidate):
    assert candidate([1, [2, 3], [], [4, [5, [6]]], 7]) == [1, 2, 3, 4, 5, 6, 7]
    assert candidate([]) == []
    assert candidate([[[]]]) == []
    assert candidate([["a"], "b"]) == ["a", "b"]


check(flatten)
