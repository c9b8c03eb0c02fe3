def binary_search(items: list[int], target: int) -> int:
    """Index of target in the ascending list items, or -1."""
    low, high = 0, len(items) - 1
    while low <= high:
        mid = (low + high) // 2
        if items[mid] == target:
            return mid
        if items[mid] < target:
            low = mid + 1
        else:
            high = mid - 1
    return -1


if __name__ == "__main__":
    primes = [2, 3, 5, 7, 11, 13, 17, 19, 23]
    for target in (7, 2, 23, 4):
        print(f"{target} -> {binary_search(primes, target)}")
