"""``plan.json``: every run of a compiled spec, with totals and the GPU-hour budget (``codescale.plan/1``).

Written last by ``codescale compile`` (so a plan always describes runs whose files exist); read by ``codescale
submit/status/cancel``, ``diff``, ``simulate`` and the demo through :meth:`PlanFile.read`. Each element of ``runs``
is the same object as that run's ``run.json``.
"""

from __future__ import annotations

from pydantic import Field

from codescale.core.contracts.base import FORMATS, Contract
from codescale.core.contracts.run import Number, Run


class Totals(Contract):
    runs: int
    params: int
    tokens: int
    flops: Number
    gpu_hours: Number


class PlanBudget(Contract):
    gpu_hours_limit: Number | None


class PlanFile(Contract):
    """A compiled plan (contracts: ``plan.json``)."""

    ARTIFACT = "plan"

    format: str = FORMATS["plan"]
    spec: str
    """The spec file as given to the compiler."""
    spec_sha256: str
    study: str
    created: str
    """ISO 8601 UTC time of compilation."""
    codescale_version: str
    runs: list[Run] = Field(min_length=1)
    totals: Totals
    budget: PlanBudget

    def to_json(self, *, compact: bool = False, indent: int = 1) -> str:
        """Indented for people (one space), unlike the per-run files."""
        return super().to_json(compact=compact, indent=indent)


def totals_of(runs: list[Run]) -> Totals:
    return Totals(
        runs=len(runs),
        params=sum(r.model.params for r in runs),
        tokens=sum(r.training.tokens for r in runs),
        flops=sum(r.derived.flops for r in runs),
        gpu_hours=sum(r.derived.gpu_hours for r in runs),
    )
