from itertools import groupby


def encode(text: str) -> str:
    return "".join(f"{len(list(run))}{char}" for char, run in groupby(text))


def decode(encoded: str) -> str:
    decoded, digits = [], ""
    for char in encoded:
        if char.isdigit():
            digits += char
        else:
            decoded.append(char * int(digits))
            digits = ""
    return "".join(decoded)


if __name__ == "__main__":
    for text in ["aaabccdddd", "wwwwwwwwwwwwb", "xyz"]:
        packed = encode(text)
        print(f"{text} -> {packed} -> {decode(packed)}")
