"""The human view of a plan: one row per run, then totals (parameters, tokens, FLOPs, GPU-hours).

``micro×acc`` is the micro-batch (sequences per GPU per forward pass) times the gradient-accumulation steps;
``GiB/GPU`` is the estimated peak memory per GPU in GiB (:mod:`codescale.compiler.memory`; ``-`` on cpu).
"""

from __future__ import annotations

from typing import Any

from codescale.compiler import memory
from codescale.core import fmt

COLUMNS = ("run_id", "langs", "params", "shape L/d/h/ffn", "tokens", "steps", "micro×acc", "GiB/GPU", "FLOPs", "GPU-h")


def plan_table(plan: Any) -> str:
    rows = []
    peak: memory.MemoryEstimate | None = None
    for run in plan.runs:
        m, t = run.model, run.training
        estimate = memory.estimate_run(run)
        if estimate.device_memory is not None and (peak is None or estimate.total > peak.total):
            peak = estimate
        accumulation = t.global_batch_size // (t.local_batch_size * run.parallelism.world_size)
        rows.append(
            (
                run.run_id,
                "+".join(run.languages) if len(run.languages) <= 3 else f"{len(run.languages)} languages",
                fmt.si(m.params),
                f"{m.n_layers}/{m.dim}/{m.n_heads}/{m.ffn_dim}",
                fmt.si(t.tokens),
                str(t.steps),
                f"{t.local_batch_size}×{accumulation}",
                memory.gib(estimate.total) if estimate.device_memory is not None else "-",
                f"{run.derived.flops:.3g}",
                fmt.hours(run.derived.gpu_hours),
            )
        )
    out = [fmt.table(COLUMNS, rows, right={2, 4, 5, 6, 7, 8, 9}, rule=True)]
    totals = plan.totals
    limit = plan.gpu_hours_limit
    budget = f" of {limit:,.0f} budgeted" if limit else ""
    out.append("")
    out.append(
        f"totals: {totals.runs} runs, {fmt.si(totals.params)} parameters, {fmt.si(totals.tokens)} tokens, "
        f"{totals.flops:.3g} FLOPs, {fmt.hours(totals.gpu_hours)} GPU-hours{budget}"
    )
    if peak is not None and peak.usable is not None:
        out.append(
            f"peak GPU memory: {memory.gib(peak.total)} GiB of {memory.gib(peak.usable)} usable per GPU "
            f"({memory.HEADROOM:.0%} of {memory.gib(peak.device_memory or 0)} kept free; docs/memory.md)"
        )
    return "\n".join(out)
