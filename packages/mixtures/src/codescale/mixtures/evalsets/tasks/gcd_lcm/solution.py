def gcd(a: int, b: int) -> int:
    while b:
        a, b = b, a % b
    return a


def lcm(a: int, b: int) -> int:
    return a // gcd(a, b) * b


if __name__ == "__main__":
    for a, b in [(48, 18), (17, 5), (100, 75)]:
        print(f"gcd({a}, {b}) = {gcd(a, b)}, lcm = {lcm(a, b)}")
