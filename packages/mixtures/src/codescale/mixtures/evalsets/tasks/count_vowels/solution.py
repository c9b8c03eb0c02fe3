VOWELS = set("aeiou")


def count_vowels(text: str) -> int:
    return sum(1 for char in text.lower() if char in VOWELS)


if __name__ == "__main__":
    for text in ["Programming Language", "rhythm", "AEIOU aeiou"]:
        print(f"{text}: {count_vowels(text)}")
