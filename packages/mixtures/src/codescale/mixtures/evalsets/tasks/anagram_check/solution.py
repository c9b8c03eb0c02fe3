from collections import Counter


def are_anagrams(first: str, second: str) -> bool:
    """Same letters with the same multiplicities, ignoring case and spaces."""
    def letters(text: str) -> Counter:
        return Counter(text.lower().replace(" ", ""))

    return letters(first) == letters(second)


if __name__ == "__main__":
    for first, second in [("listen", "silent"), ("Dormitory", "dirty room"), ("hello", "world")]:
        print(f"{first} / {second}: {'yes' if are_anagrams(first, second) else 'no'}")
