"""The human view of a plan: one row per run, then totals (parameters, tokens, FLOPs, GPU-hours)."""

from __future__ import annotations

from typing import Any

from codescale.core import fmt

COLUMNS = ("run_id", "langs", "params", "shape L/d/h/ffn", "tokens", "steps", "FLOPs", "GPU-h")


def plan_table(plan: Any) -> str:
    rows = []
    for run in plan.runs:
        m, t = run.model, run.training
        rows.append((
            run.run_id,
            "+".join(run.languages) if len(run.languages) <= 3 else f"{len(run.languages)} languages",
            fmt.si(m.params),
            f"{m.n_layers}/{m.dim}/{m.n_heads}/{m.ffn_dim}",
            fmt.si(t.tokens),
            str(t.steps),
            f"{run.derived.flops:.3g}",
            fmt.hours(run.derived.gpu_hours),
        ))
    out = [fmt.table(COLUMNS, rows, right={2, 4, 5, 6, 7}, rule=True)]
    totals = plan.totals
    limit = plan.gpu_hours_limit
    budget = f" of {limit:,.0f} budgeted" if limit else ""
    out.append("")
    out.append(
        f"totals: {totals.runs} runs, {fmt.si(totals.params)} parameters, {fmt.si(totals.tokens)} tokens, "
        f"{totals.flops:.3g} FLOPs, {fmt.hours(totals.gpu_hours)} GPU-hours{budget}"
    )
    return "\n".join(out)
