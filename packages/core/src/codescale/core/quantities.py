"""Human quantities in specs: ``"150M"``, ``"0.2B"``, ``"64B"``, ``"3e21"``, ``"20x"``, ``"1M"``.

Suffixes are decimal and case-insensitive: k = 1e3, M = 1e6, B or G = 1e9, T = 1e12; binary ones
(Ki, Mi, Gi, Ti = 2^10 ... 2^40) suit batch sizes that must split evenly: ``"4Mi"`` = 4194304. A plain number (or a string
YAML did not read as one, such as ``3e21``) is taken as is. ``"20x"`` is a multiple (tokens per parameter).
Labels go the other way: :func:`size_label` writes ``0.1B`` / ``150M`` / ``300k`` for a parameter count.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

_SUFFIX = {
    "": 1.0,
    "k": 1e3,
    "m": 1e6,
    "b": 1e9,
    "g": 1e9,
    "t": 1e12,
    "ki": 2.0**10,
    "mi": 2.0**20,
    "gi": 2.0**30,
    "ti": 2.0**40,
}
_QUANTITY = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*([kKmMbBgGtT][iI]?)?\s*$")
_MULTIPLE = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*[xX×]\s*$")


def parse_quantity(value: object) -> float:
    """``"0.2B"`` -> 2e8 (memoised: a sweep parses the same few strings thousands of times)."""
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):  # True == 1 would share a cache slot
        return _parse_cached(value)
    return _parse(value)


@lru_cache(maxsize=4096)
def _parse_cached(value: str | int | float) -> float:
    return _parse(value)


def _parse(value: object) -> float:
    """``"0.2B"`` -> 2e8. Raises ValueError with a readable message for anything else (incl. bools, <= 0)."""
    if isinstance(value, bool) or value is None:
        raise ValueError(f"expected a number such as 150M, 0.2B or 3e21, got {_short(value)}")
    if isinstance(value, (int, float)):
        try:
            number = float(value)
        except OverflowError:  # an integer with hundreds of digits
            digits = int(abs(int(value)).bit_length() * math.log10(2)) + 1
            raise ValueError(f"expected a number below 1e308, got one with about {digits} digits") from None
    else:
        match = _QUANTITY.match(str(value))
        if not match:
            raise ValueError(f"expected a number such as 150M, 0.2B or 3e21, got {_short(value)}")
        number = float(match.group(1)) * _SUFFIX[(match.group(2) or "").lower()]
    if not math.isfinite(number):
        raise ValueError(f"expected a finite number, got {_short(value)}")
    if number <= 0:
        raise ValueError(f"expected a positive number, got {_short(value)}")
    return number


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:20]}...{text[-10:]} ({len(text)} characters)"


def parse_multiple(value: object) -> float | None:
    """``"20x"`` -> 20.0; anything that is not a multiple -> None."""
    if isinstance(value, str):
        match = _MULTIPLE.match(value)
        if match:
            number = float(match.group(1))
            if number > 0 and math.isfinite(number):
                return number
    return None


def size_label(params: float) -> str:
    """A readable parameter count: 1.1e9 -> ``1.1B``, 1.5e8 -> ``150M``, 3e5 -> ``300k``."""
    for suffix, scale in (("T", 1e12), ("B", 1e9), ("M", 1e6), ("k", 1e3)):
        if params >= scale * (0.1 if suffix == "B" else 1):
            text = f"{params / scale:.3g}"
            return f"{text}{suffix}"
    return f"{params:.3g}"
