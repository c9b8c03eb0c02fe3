def caesar(text: str, shift: int) -> str:
    """Shift every ASCII letter by shift places, keeping case; other characters pass through."""
    shifted = []
    for char in text:
        if char.isascii() and char.isalpha():
            base = ord("A") if char.isupper() else ord("a")
            shifted.append(chr((ord(char) - base + shift) % 26 + base))
        else:
            shifted.append(char)
    return "".join(shifted)


if __name__ == "__main__":
    secret = caesar("Hello, World!", 3)
    print(secret)
    print(caesar(secret, -3))
    print(caesar("xyz ABC", 30))
