"""The artifact contracts between codescale's stages: one pydantic model per file, one reader, one writer.

| file | model | written by | read by |
|---|---|---|---|
| ``plan.json`` | :class:`PlanFile` | compiler | runner (submit/status/cancel), laws (simulate), demo, ``diff`` |
| ``runs/<id>/run.json`` | :class:`Run` | compiler | runner, laws (ingest, simulate), status |
| ``runs/<id>/mixture.json`` | :class:`MixtureManifest` | compiler | runner's data loader, mixtures' sampler |
| ``PREPARED/manifest.json`` | :class:`PreparedManifest` | mixtures (prepare) | compiler, sampler, runner, laws |
| ``runs/<id>/status.json`` | :class:`Status` | runner | status, laws (ingest) |
| ``runs/<id>/metrics.jsonl`` | :class:`TrainLine`, :class:`EvalLine` | runner | laws (ingest), status |
| ``runs/<id>/lease.json`` | :class:`Lease` | runner | runner, status |

Format ids live in :data:`FORMATS`; docs/architecture.md draws the whole flow.
"""

from codescale.core.contracts.base import FORMATS, Contract, check_format
from codescale.core.contracts.mixture import MixtureManifest
from codescale.core.contracts.plan import PlanBudget, PlanFile, Totals, totals_of
from codescale.core.contracts.prepared import Cleaning, LanguageCleaning, PreparedManifest
from codescale.core.contracts.run import (
    ClusterPlan,
    CorpusPaths,
    Derived,
    EvalPlan,
    MixturePlan,
    ModelShape,
    PairingPlan,
    ParallelismPlan,
    Run,
    RunPaths,
    TrackingPlan,
    TrainingPlan,
    TranslationEval,
)
from codescale.core.contracts.rundir import (
    STATES,
    TERMINAL_STATES,
    ErrorRecord,
    EvalLine,
    Lease,
    MetricLine,
    StartRecord,
    Status,
    TrainLine,
    metric_line_json,
    parse_metric_line,
    read_lease,
    read_metric_lines,
)

__all__ = [
    "FORMATS",
    "Contract",
    "check_format",
    "MixtureManifest",
    "PlanBudget",
    "PlanFile",
    "Totals",
    "totals_of",
    "PreparedManifest",
    "Cleaning",
    "LanguageCleaning",
    "ClusterPlan",
    "CorpusPaths",
    "Derived",
    "EvalPlan",
    "MixturePlan",
    "ModelShape",
    "PairingPlan",
    "ParallelismPlan",
    "Run",
    "RunPaths",
    "TrackingPlan",
    "TrainingPlan",
    "TranslationEval",
    "STATES",
    "TERMINAL_STATES",
    "ErrorRecord",
    "EvalLine",
    "Lease",
    "MetricLine",
    "StartRecord",
    "Status",
    "TrainLine",
    "metric_line_json",
    "parse_metric_line",
    "read_lease",
    "read_metric_lines",
]
