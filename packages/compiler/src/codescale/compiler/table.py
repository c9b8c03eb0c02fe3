"""The human view of a plan: one row per run, then totals (parameters, tokens, FLOPs, GPU-hours)."""

from __future__ import annotations

from typing import Any


def _si(value: float) -> str:
    for suffix, scale in (("E", 1e18), ("P", 1e15), ("T", 1e12), ("B", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(value) >= scale:
            return f"{value / scale:.3g}{suffix}"
    return f"{value:.3g}"


def _flops(value: float) -> str:
    return f"{value:.3g}"


def _hours(value: float) -> str:
    return f"{value:,.1f}" if value >= 10 else f"{value:.3g}"


COLUMNS = ("run_id", "langs", "params", "shape L/d/h/ffn", "tokens", "steps", "FLOPs", "GPU-h")


def plan_table(plan: Any) -> str:
    rows = []
    for run in plan.runs:
        m, t = run["model"], run["training"]
        rows.append((
            run["run_id"],
            "+".join(run["languages"]) if len(run["languages"]) <= 3 else f"{len(run['languages'])} languages",
            _si(m["params"]),
            f"{m['n_layers']}/{m['dim']}/{m['n_heads']}/{m['ffn_dim']}",
            _si(t["tokens"]),
            str(t["steps"]),
            _flops(run["derived"]["flops"]),
            _hours(run["derived"]["gpu_hours"]),
        ))
    widths = [max(len(c), *(len(r[i]) for r in rows)) if rows else len(c) for i, c in enumerate(COLUMNS)]
    right = {2, 4, 5, 6, 7}

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    out = [line(COLUMNS), line(tuple("-" * w for w in widths))]
    out += [line(r) for r in rows]
    totals = plan.totals
    limit = plan.gpu_hours_limit
    budget = f" of {limit:,.0f} budgeted" if limit else ""
    out.append("")
    out.append(
        f"totals: {totals['runs']} runs, {_si(totals['params'])} parameters, {_si(totals['tokens'])} tokens, "
        f"{totals['flops']:.3g} FLOPs, {_hours(totals['gpu_hours'])} GPU-hours{budget}"
    )
    return "\n".join(out)
