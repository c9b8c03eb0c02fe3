def binary_search(items: list[int], target: int) -> int:
    """Index of target in the ascending list items, or -1 when it is absent.

    >>> binary_search([2, 3, 5, 7], 5)
    2
    """
# codescale: completion
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
# codescale: tests


def check(candidate):
    primes = [2, 3, 5, 7, 11, 13, 17, 19, 23]
    assert candidate(primes, 7) == 3
    assert candidate(primes, 2) == 0
    assert candidate(primes, 23) == 8
    assert candidate(primes, 4) == -1
    assert candidate([], 1) == -1


check(binary_search)
