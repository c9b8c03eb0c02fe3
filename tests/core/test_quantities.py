"""Human quantities: suffixes, multiples, and a ValueError (never an OverflowError) for anything out of range."""

import pytest

from codescale.core.quantities import parse_multiple, parse_quantity, size_label


@pytest.mark.parametrize(
    "text, value", [("150M", 1.5e8), ("0.2B", 2e8), ("3e21", 3e21), ("4Mi", 4 * 2**20), (" 1k ", 1e3), (7, 7.0)]
)
def test_quantities_read_their_suffixes(text, value):
    assert parse_quantity(text) == value


@pytest.mark.parametrize(
    "value, message",
    [
        (10**400, "expected a number below 1e308, got one with about 401 digits"),
        ("9" * 400, "expected a finite number"),
        ("1e999", "expected a finite number, got '1e999'"),
        ("1e300T", "expected a finite number"),
        (float("nan"), "expected a finite number, got nan"),
        (float("inf"), "expected a finite number, got inf"),
        ("nan", "expected a number such as 150M"),
        (0, "expected a positive number, got 0"),
        (-1, "expected a positive number, got -1"),
        (True, "expected a number such as 150M"),
    ],
)
def test_out_of_range_quantities_are_value_errors_with_a_reason(value, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        parse_quantity(value)


def test_multiples_must_be_finite_and_positive():
    assert parse_multiple("20x") == 20.0
    assert parse_multiple("1e999x") is None and parse_multiple("0x") is None and parse_multiple("20") is None


def test_size_labels_read_back_as_the_same_magnitude():
    assert [size_label(p) for p in (1.1e9, 1.5e7, 3e5, 12)] == ["1.1B", "15M", "300k", "12"]
