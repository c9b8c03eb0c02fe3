def transpose(matrix: list[list[int]]) -> list[list[int]]:
    return [list(column) for column in zip(*matrix)]


if __name__ == "__main__":
    grid = [[1, 2, 3], [4, 5, 6]]
    for row in transpose(grid):
        print(" ".join(str(value) for value in row))
