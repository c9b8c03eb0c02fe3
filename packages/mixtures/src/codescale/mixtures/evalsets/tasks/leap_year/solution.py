def is_leap_year(year: int) -> bool:
    """Gregorian rule: every fourth year, except centuries not divisible by 400."""
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


if __name__ == "__main__":
    for year in (1900, 2000, 2023, 2024):
        print(f"{year}: {'leap' if is_leap_year(year) else 'common'}")
