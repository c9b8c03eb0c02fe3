def merge(left: list[int], right: list[int]) -> list[int]:
    """Merge two ascending lists into one ascending list."""
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


if __name__ == "__main__":
    print(*merge([1, 4, 7, 10], [2, 3, 8, 12, 15]))
    print(*merge([], [5, 6]))
