"""Identifier conventions: one IR name (a tuple of words) spelled the way each language spells it."""

from __future__ import annotations

from functools import lru_cache

from codescale.mixtures.synthetic.ir import Name

# Go capitalises initialisms as a whole word (``orderID``, not ``orderId``).
_GO_INITIALISMS = {"id": "ID", "url": "URL", "api": "API", "sku": "SKU"}


@lru_cache(maxsize=8192)
def snake(name: Name) -> str:
    return "_".join(name)


@lru_cache(maxsize=8192)
def camel(name: Name) -> str:
    return name[0] + "".join(word.capitalize() for word in name[1:])


@lru_cache(maxsize=8192)
def pascal(name: Name) -> str:
    return "".join(word.capitalize() for word in name)


@lru_cache(maxsize=8192)
def go_camel(name: Name) -> str:
    """Unexported Go identifier: mixedCaps with initialisms kept upper-case after the first word."""
    return name[0] + "".join(_GO_INITIALISMS.get(word, word.capitalize()) for word in name[1:])


@lru_cache(maxsize=8192)
def go_pascal(name: Name) -> str:
    """Exported Go identifier (struct types and their fields)."""
    return "".join(_GO_INITIALISMS.get(word, word.capitalize()) for word in name)
