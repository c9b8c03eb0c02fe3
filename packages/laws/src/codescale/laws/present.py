"""How stored fits read to people: the text ``codescale fit`` prints, the synergy table, the report's Markdown tables.

One module for every view of a fit, so the analysis commands, ``codescale report`` and ``codescale demo`` show a fit
the same way; fitted values are spelled by :func:`codescale.core.fmt.number`. Pure functions of
:class:`~codescale.laws.fitstore.StoredFit` values returning text: no store access, no printing, no argparse (the
CLI modules print what these return).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from codescale.core.domains import domain_display
from codescale.core.fmt import number, table
from codescale.laws.fitstore import StoredFit

LAW_NAMES = ("E", "A", "B", "alpha", "beta")
"""The parameters of the per-language law L = E + A/N^alpha + B/D^beta, in the order they are shown."""


def _interval(fit: StoredFit, name: str) -> str:
    bounds = fit.intervals.get(name)
    return f"[{number(bounds[0])}, {number(bounds[1])}]" if bounds else ""


def law_fits_text(fits: Iterable[StoredFit], names: Sequence[str] = LAW_NAMES) -> str:
    """Each fit's header line (id, group, runs, form, objective, whether the data identify it), then one line per
    parameter with its interval, then why it is unidentified and its warnings."""
    lines = []
    for fit in fits:
        head = f"{fit.group_key}={fit.group_value}" if fit.group_key else "all"
        objective = "nan" if fit.objective is None else f"{fit.objective:.6g}"
        lines.append(f"{fit.fit_id}  {head}  n_runs={fit.n_runs}  form={fit.form}  units={fit.settings.get('units')}  "
                     f"objective={objective}  converged={fit.converged}  identified={fit.identified}")  # fmt: skip
        lines += [f"    unidentified: {reason}" for reason in fit.unidentified]
        for name in names:
            if name in fit.params:
                interval = _interval(fit, name)
                lines.append(f"    {name:6s} {number(fit.params[name]):>11s}" + (f"  {interval}" if interval else ""))
        lines += [f"    warning: {w}" for w in fit.warnings]
    return "\n".join(lines)


def mixture_fit_text(stored: StoredFit, max_params: int = 8) -> str:
    """A stored mixture fit: header, each unit's parameters with intervals, flags and warnings."""
    s = stored.settings
    counts = s.get("bootstrap_converged") or {}
    boot = s.get("options", {}).get("bootstrap", 0)
    lines = [f"{stored.fit_id}  law={stored.form}  n_runs={stored.n_runs}  converged={stored.converged}  "
             f"identified={stored.identified}"
             + (f"  bootstrap={boot} (converged per unit: {min(counts.values(), default=0)}-"
                f"{max(counts.values(), default=0)})" if boot else "")]  # fmt: skip
    if "n0" in s:
        lines.append(f"    reference scales N0={number(s['n0'])}, D0={number(s['d0'])} (N/N0, D/D0 enter the law)")
    by_unit: dict[str, list[str]] = {}
    for name, value in stored.params.items():
        unit, _, pname = name.rpartition(".")
        interval = _interval(stored, name)
        by_unit.setdefault(unit, []).append(f"{pname}={number(value)}" + (f" {interval}" if interval else ""))
    for unit, values in by_unit.items():
        more = f"  … ({len(values)} parameters)" if len(values) > max_params else ""
        lines.append(f"    {unit}: " + ", ".join(values[:max_params]) + more)
    if stored.form == "regression":
        lines.append("    (gradient-boosted trees: no parameters; see the in-sample predictions with `codescale sql`)")
    lines += [f"    unidentified: {u}" for u in stored.unidentified[:20]]
    lines += [f"    warning: {w}" for w in stored.warnings[:20]]
    return "\n".join(lines)


def synergy_table(fit: StoredFit) -> str:
    """A synergy fit as a target x auxiliary table of relative gains in % (± the standard error where the fit has
    one); ``-`` on the diagonal and for a pair without runs."""
    languages = fit.settings.get("languages", [])
    rows = []
    for target in languages:
        cells = [domain_display(target)]
        for aux in languages:
            gain = fit.params.get(f"rel_gain:{target}:{aux}")
            if target == aux or gain is None:
                cells.append("-")
                continue
            se = fit.params.get(f"rel_gain_se:{target}:{aux}")
            cells.append(f"{100 * gain:+.2f}%" + (f"±{100 * se:.2f}" if se is not None else ""))
        rows.append(cells)
    header = ["target \\ aux", *(domain_display(aux) for aux in languages)]
    return table(header, rows, right=range(1, len(languages) + 1))


def identified_markdown(fit: StoredFit) -> str:
    """``yes``, or a bold **no** with the first reasons the data do not pin the law down."""
    return "yes" if fit.identified else "**no**: " + "; ".join(fit.unidentified[:4])


def fits_markdown(fits: Iterable[StoredFit], names: Sequence[str] = LAW_NAMES) -> list[str]:
    """A Markdown table of fits: one row each, a column per parameter (value and interval), identified, warnings."""
    lines = ["| fit | group | runs | " + " | ".join(names) + " | identified | warnings |",
             "|---|---|---|" + "---|" * len(names) + "---|---|"]  # fmt: skip
    for fit in fits:
        cells = []
        for name in names:
            if name not in fit.params:
                cells.append("–")
                continue
            interval = _interval(fit, name)
            cells.append(number(fit.params[name]) + (f" {interval}" if interval else ""))
        lines.append(f"| `{fit.fit_id}` | {fit.group_value} | {fit.n_runs} | " + " | ".join(cells) +
                     f" | {identified_markdown(fit)} | {'; '.join(fit.warnings) or '–'} |")  # fmt: skip
    return lines
