def is_palindrome(text: str) -> bool:
    """True when text reads the same backwards, ignoring case and anything but letters and digits."""
    cleaned = [c.lower() for c in text if c.isalnum()]
    return cleaned == cleaned[::-1]


if __name__ == "__main__":
    for phrase in ["A man, a plan, a canal: Panama", "race a car", "No lemon, no melon"]:
        verdict = "yes" if is_palindrome(phrase) else "no"
        print(f"{phrase}: {verdict}")
