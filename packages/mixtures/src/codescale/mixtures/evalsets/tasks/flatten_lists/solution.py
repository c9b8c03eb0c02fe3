def flatten(nested: list) -> list:
    """All non-list items of an arbitrarily nested list, left to right."""
    flat = []
    for item in nested:
        if isinstance(item, list):
            flat.extend(flatten(item))
        else:
            flat.append(item)
    return flat


if __name__ == "__main__":
    print(flatten([1, [2, 3], [], [4, [5, [6]]], 7]))
