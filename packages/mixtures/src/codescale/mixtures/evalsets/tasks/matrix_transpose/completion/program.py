def transpose(matrix: list[list[int]]) -> list[list[int]]:
    """The transpose of a rectangular matrix given as a list of rows: row i of the result is column i of matrix.

    >>> transpose([[1, 2], [3, 4]])
    [[1, 3], [2, 4]]
    """
# codescale: completion
    return [list(column) for column in zip(*matrix)]
# codescale: tests


def check(candidate):
    assert candidate([[1, 2, 3], [4, 5, 6]]) == [[1, 4], [2, 5], [3, 6]]
    assert candidate([[7]]) == [[7]]
    assert candidate([[1, 2, 3]]) == [[1], [2], [3]]
    assert candidate([]) == []


check(transpose)
