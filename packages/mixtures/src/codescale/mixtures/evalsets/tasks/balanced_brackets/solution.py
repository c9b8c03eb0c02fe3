PAIRS = {")": "(", "]": "[", "}": "{"}


def is_balanced(text: str) -> bool:
    stack = []
    for char in text:
        if char in "([{":
            stack.append(char)
        elif char in PAIRS:
            if not stack or stack.pop() != PAIRS[char]:
                return False
    return not stack


if __name__ == "__main__":
    for text in ["([]{})", "([)]", "((", "{[()()]}", "a(b)c]"]:
        print(f"{text}: {'balanced' if is_balanced(text) else 'unbalanced'}")
