"""How codescale prints numbers and tables for people (machine output is JSON, CSV or SQL).

One spelling per kind of number, so the plan table, ``codescale status``, the fits and the report agree:
:func:`si` for counts (``1.1B`` parameters, ``64B`` tokens), :func:`hours` for GPU-hours, :func:`number` for fitted
values; :func:`table` lays out aligned columns.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence

_SI = (("E", 1e18), ("P", 1e15), ("T", 1e12), ("B", 1e9), ("M", 1e6), ("k", 1e3))


def si(value: float) -> str:
    """A count with a decimal suffix and 3 significant digits: 1.1e9 -> ``1.1B``, 2048 -> ``2.05k``."""
    for suffix, scale in _SI:
        if abs(value) >= scale:
            return f"{value / scale:.3g}{suffix}"
    return f"{value:.3g}"


def hours(value: float) -> str:
    """GPU-hours: thousands separators and one decimal from 10 up, 3 significant digits below."""
    return f"{value:,.1f}" if value >= 10 else f"{value:.3g}"


def number(value: float | None) -> str:
    """A fitted value: 4 significant digits, scientific from 1e5 up; ``nan`` for a missing or non-finite one."""
    if value is None or not math.isfinite(value):
        return "nan"
    return f"{value:.4g}" if abs(value) < 1e5 else f"{value:.3e}"


def table(
    header: Sequence[str], rows: Sequence[Sequence[object]], *, right: Collection[int] = (), rule: bool = False
) -> str:
    """Columns separated by two spaces, each as wide as its widest cell; ``right`` holds the indices of
    right-aligned columns; ``rule`` draws a dashed line under the header. Trailing blanks are stripped."""
    cells = [[str(c) for c in header], *([str(c) for c in row] for row in rows)]
    widths = [max(len(line[i]) for line in cells) for i in range(len(header))]

    def line(values: Sequence[str]) -> str:
        return "  ".join(
            v.rjust(w) if i in right else v.ljust(w) for i, (v, w) in enumerate(zip(values, widths))
        ).rstrip()

    out = [line(cells[0])]
    if rule:
        out.append(line(["-" * w for w in widths]))
    out += [line(r) for r in cells[1:]]
    return "\n".join(out)
