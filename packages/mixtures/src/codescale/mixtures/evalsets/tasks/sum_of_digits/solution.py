def digit_sum(number: int) -> int:
    total = 0
    number = abs(number)
    while number > 0:
        number, digit = divmod(number, 10)
        total += digit
    return total


def digital_root(number: int) -> int:
    """Repeat digit_sum until a single digit is left."""
    while number >= 10:
        number = digit_sum(number)
    return number


if __name__ == "__main__":
    for number in (9875, 0, 123456789):
        print(f"{number}: sum {digit_sum(number)}, root {digital_root(number)}")
