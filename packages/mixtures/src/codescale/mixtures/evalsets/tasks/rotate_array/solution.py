def rotate_right(values: list[int], steps: int) -> list[int]:
    """A copy of values rotated steps places to the right (wrapping around)."""
    if not values:
        return []
    steps %= len(values)
    return values[-steps:] + values[:-steps]


if __name__ == "__main__":
    numbers = [1, 2, 3, 4, 5, 6, 7]
    for steps in (3, 10, 0):
        print(f"rotate by {steps}: {' '.join(str(n) for n in rotate_right(numbers, steps))}")
