def max_subarray_sum(values: list[int]) -> int:
    """Largest sum of a non-empty contiguous run (Kadane's algorithm)."""
    if not values:
        raise ValueError("max_subarray_sum() needs at least one value")
    best = current = values[0]
    for value in values[1:]:
        current = max(value, current + value)
        best = max(best, current)
    return best


if __name__ == "__main__":
    for values in ([-2, 1, -3, 4, -1, 2, 1, -5, 4], [-3, -1, -2], [5]):
        print(f"{values} -> {max_subarray_sum(values)}")
