def reverse(text: str) -> str:
    return text[::-1]


if __name__ == "__main__":
    for word in ["stressed", "hello, world", "a"]:
        print(f"{word} -> {reverse(word)}")
