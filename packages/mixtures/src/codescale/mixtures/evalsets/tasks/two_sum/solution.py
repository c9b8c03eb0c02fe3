def two_sum(numbers: list[int], target: int) -> tuple[int, int] | None:
    """Indices i < j with numbers[i] + numbers[j] == target, found in one pass with a hash map."""
    seen: dict[int, int] = {}
    for index, number in enumerate(numbers):
        partner = target - number
        if partner in seen:
            return seen[partner], index
        seen[number] = index
    return None


if __name__ == "__main__":
    for numbers, target in [([2, 7, 11, 15], 9), ([3, 2, 4], 6), ([1, 2, 3], 7)]:
        pair = two_sum(numbers, target)
        print(f"target {target}: {'none' if pair is None else f'{pair[0]} {pair[1]}'}")
