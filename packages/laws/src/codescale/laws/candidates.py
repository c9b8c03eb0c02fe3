"""The runs ``codescale propose`` chooses from, each compiled by the compiler, minus runs already done or planned.

A candidate is one compiled run (:class:`~codescale.core.contracts.Run`) and the sweep block that produces exactly it
from the candidate document (a spec without its sweep): the output spec is that document with the chosen blocks, so
compiling it gives the same runs, ids included. N, D and GPU-hours are the compiler's own (shape solver, steps ×
batch, the exact per-token FLOPs, the cluster's peak and MFU).

Where candidates come from:

- ``--candidates SPEC``: every run of that spec (its sweep as written).
- By default, a grid around the existing runs, on the recipe of a base spec (``--base-spec``, else the spec the
  fitted runs were compiled from, when it is on disk). Each axis is a geometric ladder through the existing values
  (2 significant digits; its step is the median ratio of neighbouring values, 2 for a single value, kept within
  1.25-4): one step below the smallest, the existing values, two steps above the largest (one for mixture laws), plus
  the target's own N and D. Per-language laws get every size × tokens × language whose parameters the target depends
  on, as single-language runs. Mixture laws get the scales × a set of mixtures: the existing ones, uniform, every
  single domain and every 50:50 pair, 12 Dirichlet(1) draws (seeded) and, for an allocation target, the optimum and
  its midpoint with uniform; an axis the law does not depend on (a single-scale law) stays at its existing values.
  Shares are rounded to whole percents.

A candidate is dropped when it does not compile (named in the log), when the law does not model it (pairing, a
domain the law lacks, a mixture for a per-language law), when it alone costs more than the budget, or when it
matches a run in the store or in a ``--planned`` plan: the same compiled hash, or the same pairing, domains and
shares (within 0.01), N and D (within 2%). Runs in the store without a final loss (not yet trained, unless failed or
cancelled) and the runs of ``--planned`` plans count as part of the design, as if measured.
"""

from __future__ import annotations

import logging
import math
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import yaml

from codescale.core.contracts import PlanFile, Run
from codescale.core.domains import is_language
from codescale.core.errors import CodescaleError
from codescale.core.fmt import si
from codescale.laws.design import Points

log = logging.getLogger(__name__)

MIXTURE_TARGET = "(mixture)"
MATCH_LOG_TOLERANCE = math.log(1.02)
MATCH_SHARE_TOLERANCE = 0.01


@dataclass
class Candidate:
    run: Run
    block: dict[str, Any]  # the sweep block that produces exactly this run


@dataclass
class CandidateSet:
    document: dict[str, Any]  # the spec without its sweep; paths absolute
    source: str  # where the candidates come from, for people
    candidates: list[Candidate]
    dropped: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def drop(self, reason: str, count: int = 1) -> None:
        if count:
            self.dropped[reason] = self.dropped.get(reason, 0) + count


# --- spec documents ----------------------------------------------------------------------------------------------


def read_document(path: str | Path) -> dict[str, Any]:
    """A spec as a plain mapping with its relative paths made absolute (it will be written elsewhere)."""
    path = Path(path)
    try:
        document = yaml.safe_load(path.read_text())
    except OSError as err:
        raise CodescaleError(f"cannot read the spec: {err.strerror}", source=path) from None
    except yaml.YAMLError as err:
        raise CodescaleError(f"the spec is not valid YAML: {err}", source=path,
                             hint="check it with `codescale validate`") from None  # fmt: skip
    if not isinstance(document, dict):
        raise CodescaleError("the spec is not a YAML mapping", source=path, hint="start from a file in specs/")
    return rebase_paths(document, path.resolve().parent, None)


def rebase_paths(document: dict[str, Any], old_dir: Path | None, new_dir: Path | None) -> dict[str, Any]:
    """A copy with corpus.catalog, corpus.prepared and mixture.from_allocation made absolute (``new_dir`` None) or
    relative to ``new_dir``; ``old_dir`` resolves relative ones."""
    out = dict(document)
    for section, keys in (("corpus", ("catalog", "prepared")), ("mixture", ("from_allocation",))):
        values = out.get(section)
        if not isinstance(values, dict):
            continue
        values = dict(values)
        for key in keys:
            value = values.get(key)
            if isinstance(value, str):
                absolute = value if os.path.isabs(value) or old_dir is None else str((old_dir / value).resolve())
                values[key] = absolute if new_dir is None else os.path.relpath(absolute, new_dir)
        out[section] = values
    return out


LIFTED_TIME_LIMIT_MIN = 1_000_000_000  # minutes: no grid run is refused for its length while it is compiled


def compile_blocks(document: dict[str, Any], blocks: list[dict[str, Any]]) -> tuple[list[Run | None], int]:
    """Each block's run, compiled from ``document`` + that block (None where it does not compile), and how many of
    the Nones are runs longer than the recipe's ``cluster.time_limit_min``.

    The compiler refuses a run whose estimate exceeds the time limit. A grid reaches past what the recipe can run in
    one job, so the blocks are compiled once with the limit lifted (it is not part of a run's identity) and each run
    is then held to the real limit with the compiler's own estimate. A batch that still fails is split in halves, so
    k bad points among n cost O(k log n) compiles."""
    from codescale.compiler.cluster import estimated_minutes, run_shape
    from codescale.compiler.plan import plan_spec
    from codescale.compiler.spec import Cluster

    cluster = dict(document.get("cluster") or {})
    limit = int(cluster.get("time_limit_min") or Cluster().time_limit_min)
    lifted = {**document, "cluster": {**cluster, "time_limit_min": LIFTED_TIME_LIMIT_MIN}}
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="codescale-propose-") as tmp:
        path = Path(tmp) / "candidates.yaml"

        def batch(part: list[dict[str, Any]]) -> list[Run | None]:
            path.write_text(yaml.safe_dump({**lifted, "sweep": part}, sort_keys=False))
            try:
                runs = plan_spec(path, enforce_budget=False).runs
                if len(runs) == len(part):
                    return list(runs)
                error = f"{len(part)} blocks compiled to {len(runs)} runs"
            except CodescaleError as err:
                error = err.render()
            if len(part) == 1:
                failures.append(f"{part[0].get('name')}: {error}")
                return [None]
            half = len(part) // 2
            return batch(part[:half]) + batch(part[half:])

        compiled = batch(blocks) if blocks else []
    if failures:
        log.warning("%d candidate(s) do not compile and are dropped, e.g. %s", len(failures), failures[0])
    out: list[Run | None] = []
    too_long = 0
    for run in compiled:
        if run is not None and run.cluster.time_limit_min == LIFTED_TIME_LIMIT_MIN:
            run = run.model_copy(update={"cluster": run.cluster.model_copy(update={"time_limit_min": limit})})
            if estimated_minutes(run, run_shape(run)) > limit:
                too_long += 1
                run = None
        out.append(run)
    return out, too_long


def spec_candidates(path: str | Path) -> CandidateSet:
    """Every run of a candidate spec, each with a block that reproduces it."""
    from codescale.compiler.plan import plan_spec

    document = read_document(path)
    runs = plan_spec(path, enforce_budget=False).runs
    base = {k: v for k, v in document.items() if k != "sweep"}
    candidates = [Candidate(run, {"name": run.name, "zip": {k: [v] for k, v in run.sweep.items()}}) for run in runs]
    return CandidateSet(base, f"the {len(runs)} runs of {path}", candidates)


# --- the default grid --------------------------------------------------------------------------------------------


def round2(x: float) -> float:
    """Two significant digits."""
    if x <= 0 or not math.isfinite(x):
        return x
    digits = 1 - int(math.floor(math.log10(x)))
    return round(x, digits)


def ladder(
    values: list[float], extra: tuple[float, ...] | list[float] = (), below: int = 1, above: int = 2
) -> list[float]:
    """A geometric axis through ``values`` (see the module docstring)."""
    merged: list[float] = []
    for x in sorted(round2(v) for v in values if v > 0):
        if not merged or x > merged[-1] * 1.05:
            merged.append(x)
    if not merged:
        return sorted({round2(v) for v in extra if v > 0})
    ratio = 2.0
    if len(merged) > 1:
        ratio = float(np.clip(np.exp(np.median(np.diff(np.log(merged)))), 1.25, 4.0))
    out = (
        merged
        + [merged[0] / ratio**i for i in range(1, below + 1)]
        + [merged[-1] * ratio**i for i in range(1, above + 1)]
    )
    return sorted({round2(v) for v in [*out, *extra] if v > 0})


def percent_shares(p: dict[str, float]) -> dict[str, float]:
    """Shares rounded to whole percents that still sum to exactly 1 (largest remainder)."""
    names = [k for k, v in p.items() if v > 0]
    total = sum(p[k] for k in names)
    raw = [100 * p[k] / total for k in names]
    floors = [math.floor(x) for x in raw]
    for i in sorted(range(len(raw)), key=lambda i: floors[i] - raw[i])[: 100 - sum(floors)]:
        floors[i] += 1
    return {k: v / 100 for k, v in zip(names, floors) if v > 0}


def mixture_block(shares: dict[str, float], max_epochs: Any) -> dict[str, Any]:
    value: dict[str, Any]
    if len(shares) == 1:
        value = {"uniform": list(shares)}
    else:
        value = {"proportions": {k: round(v, 2) for k, v in shares.items()}}
    if max_epochs is not None:
        value["max_epochs"] = max_epochs
    return value


def grid_document(base: dict[str, Any], eval_languages: list[str] | None) -> tuple[dict[str, Any], list[str]]:
    """The base spec as the recipe of grid candidates: sweep, shape, compute budget, pairing and forced repetition
    removed (size, tokens and mixture come from each block). Returns the document and what was changed."""
    document = {k: v for k, v in base.items() if k not in ("sweep", "name")}
    changed = []
    model = dict(document.get("model") or {})
    if "shape" in model:
        changed.append("model.shape (candidates set model.size)")
        model.pop("shape")
    document["model"] = model
    budget = {k: v for k, v in (document.get("budget") or {}).items() if k not in ("compute", "tokens", "gpu_hours")}
    document["budget"] = budget
    pairing = document.pop("pairing", None)
    if isinstance(pairing, dict) and pairing.get("mode", "none") != "none":
        changed.append("pairing (the laws model unpaired runs)")
    mixture = document.get("mixture") or {}
    if isinstance(mixture, dict) and mixture.get("repeat") is not None:
        changed.append("mixture.repeat (candidates train on fresh data)")
    if eval_languages is not None:
        document["eval"] = {**(document.get("eval") or {}), "languages": eval_languages}
    return document, changed


def grid_candidates(
    model,
    existing: Points,
    target_points: Points | None,
    base: dict[str, Any],
    optimum: dict[str, float] | None,
    languages: list[str] | None = None,
    seed: int = 0,
) -> CandidateSet:
    """The default candidate grid for ``model`` (a :mod:`.design_models` model) around the ``existing`` runs;
    ``languages`` limits a per-language law's candidates to the languages the target depends on."""
    from codescale.laws.design_models import PerLanguageModel

    per_language = isinstance(model, PerLanguageModel)
    eval_languages = None
    if not per_language:
        measurable = [t for t in model.targets if t != MIXTURE_TARGET]
        if not all(is_language(t) for t in [*measurable, *model.domains]):
            raise CodescaleError(f"the law's domains ({', '.join(model.domains)}) are not all languages, and specs "
                                 "train on languages only", hint="propose with --candidates SPEC naming languages")  # fmt: skip
        eval_languages = measurable or None
    document, changed = grid_document(base, eval_languages)
    max_epochs = (base.get("mixture") or {}).get("max_epochs") if isinstance(base.get("mixture"), dict) else None
    extra_n = list(target_points.n) if target_points is not None else []
    extra_d = list(target_points.d) if target_points is not None else []
    blocks = []
    if per_language:
        for j, lang in enumerate(model.domains):
            if languages is not None and lang not in languages:
                continue
            own = existing.p[:, j] > 0
            sizes = ladder(list(existing.n[own]), extra_n)
            tokens = ladder(list(existing.d[own] * existing.p[own, j]), [d for d in extra_d])
            for n in sizes:
                for d in tokens:
                    blocks.append(_block(f"{lang}-{si(n)}-{si(d)}", n, d, {lang: 1.0}, max_epochs))
    else:
        n_axis = ladder(list(existing.n), extra_n, above=1) if _varies_with(model, "n") else _most_common(existing.n)
        d_axis = ladder(list(existing.d), extra_d, above=1) if _varies_with(model, "d") else _most_common(existing.d)
        for shares in _mixtures(model, existing, target_points, optimum, seed):
            code = "-".join(f"{k}{round(100 * v)}" for k, v in shares.items())
            for n in n_axis:
                for d in d_axis:
                    blocks.append(_block(f"mix-{code}-{si(n)}-{si(d)}", n, d, shares, max_epochs))
    runs, too_long = compile_blocks(document, blocks)
    candidates = [Candidate(run, block) for run, block in zip(runs, blocks) if run is not None]
    result = CandidateSet(document, f"a grid of {len(blocks)} runs around the existing ones", candidates)
    result.drop("longer than the recipe's cluster.time_limit_min", too_long)
    result.drop("does not compile", sum(run is None for run in runs) - too_long)
    result.notes += [f"the base spec's {what} was left out" for what in changed]
    return result


def _block(name: str, n: float, d: float, shares: dict[str, float], max_epochs: Any) -> dict[str, Any]:
    return {"name": name, "zip": {"model.size": [si(n)], "budget.tokens": [si(d)],
                                  "mixture": [mixture_block(shares, max_epochs)]}}  # fmt: skip


def _most_common(values: np.ndarray) -> list[float]:
    rounded = [round2(v) for v in values]
    return [max(set(rounded), key=rounded.count)]


def _varies_with(model, axis: str) -> bool:
    """Whether the law's predictions change with N (``n``) or D (``d``) at all."""
    p = np.full((1, len(model.domains)), 1.0 / len(model.domains))
    base = Points(np.array([1e9]), np.array([1e11]), p, np.ones((1, len(model.targets)), bool))
    moved = Points(base.n * (3 if axis == "n" else 1), base.d * (3 if axis == "d" else 1), p, base.measured)
    a, _ = model.predict(model.theta[None], base)
    b, _ = model.predict(model.theta[None], moved)
    ok = np.isfinite(a) & np.isfinite(b)
    return bool(np.any(np.abs(a[ok] - b[ok]) > 1e-9))


def _mixtures(model, existing: Points, target_points: Points | None, optimum, seed: int) -> list[dict[str, float]]:
    domains = model.domains
    k = len(domains)
    raw: list[np.ndarray] = [row for row in existing.p]
    raw.append(np.full(k, 1.0 / k))
    raw += list(np.eye(k))
    raw += [(np.eye(k)[i] + np.eye(k)[j]) / 2 for i in range(k) for j in range(i + 1, k)]
    raw += list(np.random.default_rng(seed).dirichlet(np.ones(k), size=12))
    if target_points is not None:
        raw += list(target_points.p)
    if optimum:
        best = np.array([optimum.get(x, 0.0) for x in domains])
        raw += [best, (best + np.full(k, 1.0 / k)) / 2]
    out: dict[tuple, dict[str, float]] = {}
    for row in raw:
        shares = percent_shares(dict(zip(domains, (float(x) for x in row))))
        out.setdefault(tuple(sorted(shares.items())), shares)
    return list(out.values())


# --- runs the store (or a plan) already has ----------------------------------------------------------------------


@dataclass
class KnownRun:
    run_id: str
    n: float  # non-embedding parameters (else all)
    d: float
    proportions: dict[str, float]
    pairing: str
    pending: bool  # not measured yet and not failed: it will be


def store_runs(con: duckdb.DuckDBPyConnection) -> list[KnownRun]:
    """Every run in the store with its design point and whether it is still to be measured."""
    from codescale.laws.fitstore import query

    rows = query(con, "SELECT r.run_id, coalesce(r.params_non_embedding, r.params), r.tokens, "
                      "coalesce(r.pairing_mode, 'none'), r.status, list(l.language ORDER BY l.position), "
                      "list(l.proportion ORDER BY l.position), "
                      "r.run_id IN (SELECT run_id FROM final_loss) AS measured "
                      "FROM runs r LEFT JOIN run_languages l USING (run_id) GROUP BY ALL")  # fmt: skip
    out = []
    for run_id, n, d, pairing, status, langs, shares, measured in rows:
        proportions = {lang: float(p) for lang, p in zip(langs or [], shares or []) if lang and p}
        pending = not measured and status not in ("failed", "cancelled")
        out.append(KnownRun(run_id, float(n or 0), float(d or 0), proportions, pairing, pending))
    return out


def plan_runs(plans: list[PlanFile]) -> list[KnownRun]:
    return [KnownRun(r.run_id, float(r.model.params_non_embedding or r.model.params), float(r.training.tokens),
                     {k: float(v) for k, v in r.mixture.proportions.items() if v}, r.pairing.mode, True)
            for plan in plans for r in plan.runs]  # fmt: skip


def matches(run: Run, known: KnownRun) -> bool:
    """The same computation (compiled hash) or the same design point (see the module docstring)."""
    if run.run_id.rsplit("-", 1)[-1] == known.run_id.rsplit("-", 1)[-1] and "-" in known.run_id:
        return True
    n = float(run.model.params_non_embedding or run.model.params)
    if known.n <= 0 or known.d <= 0 or run.pairing.mode != known.pairing:
        return False
    if (
        abs(math.log(n / known.n)) > MATCH_LOG_TOLERANCE
        or abs(math.log(run.training.tokens / known.d)) > MATCH_LOG_TOLERANCE
    ):
        return False
    mine = {k: float(v) for k, v in run.mixture.proportions.items() if v}
    if set(mine) != set(known.proportions):
        return False
    return all(abs(mine[k] - known.proportions[k]) <= MATCH_SHARE_TOLERANCE for k in mine)


# --- runs as design points ---------------------------------------------------------------------------------------


def run_points(model, runs: list[Run]) -> tuple[Points, list[str | None]]:
    """Design points of compiled (or planned) runs for ``model``, and per run why the law does not model it (None
    where it does)."""
    from codescale.laws.design_models import PerLanguageModel

    per_language = isinstance(model, PerLanguageModel)
    k, v = len(model.domains), len(model.targets)
    n, d, p, measured, unique, why = [], [], [], [], [], []
    for run in runs:
        shares = {key: float(value) for key, value in run.mixture.proportions.items() if value}
        reason = None
        if run.pairing.mode != "none":
            reason = "paired runs are not modelled by the law"
        elif any(x not in model.domains for x in shares):
            reason = "trains on a domain the law does not have"
        elif per_language and len(shares) != 1:
            reason = "a per-language law models single-language runs"
        why.append(reason)
        params = run.model.params if per_language and model.n_column == "params" else None
        n.append(float(params or run.model.params_non_embedding or run.model.params))
        d.append(float(run.training.tokens))
        p.append([shares.get(x, 0.0) for x in model.domains] if reason is None else [0.0] * k)
        evaluated = set(run.eval.languages or run.languages)
        row = [t in evaluated or (t == MIXTURE_TARGET and bool(evaluated & set(shares))) for t in model.targets]
        measured.append(row if reason is None else [False] * v)
        repeat = run.mixture.repeat or {}
        unique.append([run.mixture.tokens_per_language.get(x, 0) / float(repeat[x]) if x in repeat else np.inf
                       for x in model.domains])  # fmt: skip
    points = Points(np.array(n, float), np.array(d, float), np.array(p, float).reshape(-1, k),
                    np.array(measured, bool).reshape(-1, v), np.array(unique, float).reshape(-1, k))  # fmt: skip
    return points, why


def known_points(model, known: list[KnownRun]) -> Points:
    """Design points of pending runs the law models (single-language ones for a per-language law)."""
    from codescale.laws.design_models import PerLanguageModel

    per_language = isinstance(model, PerLanguageModel)
    rows = [r for r in known if r.pending and r.pairing == "none" and r.proportions and r.n > 0 and r.d > 0
            and all(x in model.domains for x in r.proportions) and (not per_language or len(r.proportions) == 1)]  # fmt: skip
    k, v = len(model.domains), len(model.targets)
    p = np.array([[r.proportions.get(x, 0.0) for x in model.domains] for r in rows], float).reshape(-1, k)
    p = p / np.maximum(p.sum(axis=1, keepdims=True), 1e-300)
    measured = np.array([[t in r.proportions or t == MIXTURE_TARGET for t in model.targets] for r in rows],
                        bool).reshape(-1, v)  # fmt: skip
    return Points(np.array([r.n for r in rows], float), np.array([r.d for r in rows], float), p, measured)
