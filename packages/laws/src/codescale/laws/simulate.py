"""``codescale simulate``: fill the results store with synthetic final results for every run of a compiled plan.

Each run of ``plan.json`` (contracts §3) becomes a ``runs`` row (source ``simulate``, status ``completed``), its
``run_languages`` rows and its final evaluations, computed from a ground-truth law (:mod:`.presets`):

- validation loss of each evaluated language i with p_i > 0: the mixture truth L_i(N, D, p) with N =
  ``params_non_embedding`` (falling back to ``params``) and D = the run's tokens, both in billions; a language the run
  does not train on has no truth and is skipped (counted in the report);
- translation loss of each planned direction: the ``shuffled`` law for runs without pairing, ``parallel_seen`` /
  ``parallel_unseen`` for paired runs, with D = the run's total tokens.

Noise is multiplicative and log-normal, L_obs = L_true · exp(σ·ε), ε ~ N(0, 1), drawn from a generator seeded by
(``seed``, run_id), so a run's values do not depend on which other runs are simulated with it. Re-simulating a run
replaces its rows.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

from codescale.core.domains import direction_key
from codescale.core.errors import CodescaleError
from codescale.laws import store
from codescale.laws.presets import mono_loss
from codescale.laws.runfiles import language_rows, run_record

PLAN_FORMAT = "codescale.plan/1"


@dataclass
class SimulationReport:
    runs: int = 0
    valid_rows: int = 0
    translation_rows: int = 0
    skipped_languages: int = 0
    skipped_runs: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = (f"simulated {self.runs} runs: {self.valid_rows} validation losses, "
                f"{self.translation_rows} translation losses")  # fmt: skip
        if self.skipped_languages:
            text += f"; {self.skipped_languages} evaluated language(s) not in their run's mixture were skipped"
        if self.skipped_runs:
            text += f"; {len(self.skipped_runs)} run(s) without a truth for their languages were skipped"
        return text


def load_plan(path: str | Path) -> dict[str, Any]:
    """A plan.json, or a compiled directory holding one; CodescaleError on other formats."""
    path = Path(path)
    if path.is_dir():
        path = path / "plan.json"
    try:
        plan = json.loads(path.read_text())
    except OSError as err:
        raise CodescaleError(f"cannot read the plan: {err.strerror}", source=path,
                             hint="pass the plan.json written by `codescale compile SPEC -o OUT`") from None  # fmt: skip
    except json.JSONDecodeError as err:
        raise CodescaleError(f"the plan is not valid JSON: {err.msg}", source=path, line=err.lineno) from None
    fmt = str(plan.get("format", "")) if isinstance(plan, dict) else ""
    if fmt.split("/")[0] != PLAN_FORMAT.split("/")[0] or fmt != PLAN_FORMAT:
        raise CodescaleError(f"unsupported plan format {fmt!r}; this codescale reads {PLAN_FORMAT}", source=path)
    if not isinstance(plan.get("runs"), list) or not plan["runs"]:
        raise CodescaleError("the plan has no runs", source=path, field="runs")
    return plan


def synergy_factor(truth: dict[str, Any], target: str, proportions: dict[str, float]) -> float:
    """1 − Σ_{j≠i} τ_ij · 4 p_i p_j / (p_i + p_j), floored at 0.05 (see :mod:`.presets`)."""
    p_i = proportions.get(target, 0.0)
    taus = truth.get("synergy", {}).get(target, {})
    total = 0.0
    for aux, p_j in proportions.items():
        if aux != target and p_j > 0:
            total += taus.get(aux, 0.0) * 4 * p_i * p_j / (p_i + p_j)
    return max(0.05, 1.0 - total)


def mixture_loss(truth: dict[str, Any], target: str, n_billions: float, d_billions: float,
                 proportions: dict[str, float]) -> float:  # fmt: skip
    """True validation loss on ``target`` of a run with these proportions (p_target > 0)."""
    p_i = proportions.get(target, 0.0)
    if p_i <= 0:
        raise ValueError(f"{target} is not in the mixture")
    law = truth["languages"][target]
    return mono_loss(law, n_billions, d_billions * p_i) * synergy_factor(truth, target, proportions)


def translation_loss(truth: dict[str, Any], n_billions: float, d_billions: float, paired: bool, seen: bool) -> float:
    setting = "shuffled" if not paired else ("parallel_seen" if seen else "parallel_unseen")
    law = truth.get("translation", {}).get(setting)
    if law is None:
        raise CodescaleError(f"the truth has no translation law {setting!r}", field="translation")
    return mono_loss(law, n_billions, d_billions)


def simulate_plan(
    con: duckdb.DuckDBPyConnection, plan: dict[str, Any], truth: dict[str, Any], noise: float = 0.005, seed: int = 0
) -> SimulationReport:
    """Write synthetic results for every run of ``plan`` (one transaction)."""
    if noise < 0 or not np.isfinite(noise):
        raise CodescaleError(f"noise must be a finite number >= 0, got {noise}")
    report = SimulationReport()
    run_rows, lang_rows, eval_rows = [], [], []
    for run in plan["runs"]:
        rows = _simulate_run(run, truth, noise, seed, report)
        if rows is None:
            continue
        run_rows.append(rows[0])
        lang_rows.extend(rows[1])
        eval_rows.extend(rows[2])
    with store.transaction(con):
        store.delete_runs(con, [r["run_id"] for r in run_rows])
        store.insert_rows(con, "runs", run_rows)
        store.insert_rows(con, "run_languages", lang_rows)
        store.insert_rows(con, "evals", eval_rows)
    report.runs = len(run_rows)
    return report


def _simulate_run(run: dict[str, Any], truth: dict[str, Any], noise: float, seed: int, report: SimulationReport):
    run_id = run.get("run_id")
    if not isinstance(run_id, str):
        raise CodescaleError("a plan run has no run_id", field="runs[].run_id")
    model, training, mixture = run.get("model") or {}, run.get("training") or {}, run.get("mixture") or {}
    params = model.get("params_non_embedding") or model.get("params")
    tokens = training.get("tokens")
    proportions = {k: float(v) for k, v in (mixture.get("proportions") or {}).items()}
    if not params or not tokens or not proportions:
        raise CodescaleError("the run lacks model.params, training.tokens or mixture.proportions",
                             source=run_id, hint="recompile the plan with `codescale compile`")  # fmt: skip
    if not all(lang in truth["languages"] for lang in proportions):
        report.skipped_runs.append(run_id)
        return None
    n_b, d_b = params / 1e9, tokens / 1e9
    rng = np.random.default_rng([seed, zlib.crc32(run_id.encode())])
    steps = training.get("steps")
    record = run_record(run, None, Path("."), "simulate")
    record.update(source="simulate", status="completed", run_dir=None, fingerprint=None, step=steps,
                  tokens_seen=tokens)  # fmt: skip
    base = {"run_id": run_id, "step": steps, "tokens": tokens, "is_final": True}
    evals = []
    eval_plan = run.get("eval") or {}
    for lang in eval_plan.get("languages") or run.get("languages") or []:
        if proportions.get(lang, 0.0) <= 0:
            report.skipped_languages += 1
            continue
        loss = mixture_loss(truth, lang, n_b, d_b, proportions) * np.exp(noise * rng.standard_normal())
        evals.append({**base, "metric": "valid_loss", "language": lang, "loss": float(loss)})
    paired = (run.get("pairing") or {}).get("mode") == "parallel"
    for item in eval_plan.get("translation") or []:
        seen = bool(item.get("seen"))
        loss = translation_loss(truth, n_b, d_b, paired, seen) * np.exp(noise * rng.standard_normal())
        evals.append({**base, "metric": "translation_loss", "language": item["tgt"], "src": item["src"],
                      "tgt": item["tgt"], "direction": direction_key(item["src"], item["tgt"]), "seen": seen,
                      "loss": float(loss)})  # fmt: skip
    report.valid_rows += sum(e["metric"] == "valid_loss" for e in evals)
    report.translation_rows += sum(e["metric"] == "translation_loss" for e in evals)
    return record, language_rows(run), evals


def grid_plan(
    study: str,
    sizes: list[float],
    tokens: list[float],
    mixtures: list[dict[str, float]],
    seeds: tuple[int, ...] = (0,),
    translation: list[tuple[str, str, bool]] | None = None,
    pairing_mode: str = "none",
) -> dict[str, Any]:
    """A minimal ``codescale.plan/1`` dict (contracts §3): every size × token budget × mixture × seed.

    For rehearsals and tests without the compiler; sizes are non-embedding parameters and tokens training tokens
    (raw counts). Run ids are ``<study>-<i>-<hash8>``.
    """
    import hashlib

    runs = []
    for i, (n, d, mix, seed) in enumerate(
        (n, d, m, s) for n in sizes for d in tokens for m in mixtures for s in seeds
    ):
        languages = list(mix)
        total = sum(mix.values())
        proportions = {k: v / total for k, v in mix.items()}
        body = {
            "format": "codescale.run/1", "name": f"{study}-{i}", "study": study, "spec": f"{study}.yaml",
            "sweep": {"model.size": n, "budget.tokens": d}, "languages": languages,
            "model": {"size_label": f"{n / 1e9:g}B", "params": int(n * 1.2), "params_non_embedding": int(n)},
            "training": {"steps": 1000, "tokens": int(d), "seed": seed},
            "mixture": {"proportions": proportions,
                        "tokens_per_language": {k: int(d * v) for k, v in proportions.items()}, "kind": "explicit"},
            "pairing": {"mode": pairing_mode, "template": "direct" if pairing_mode == "parallel" else None},
            "eval": {"languages": languages,
                     "translation": [{"src": s, "tgt": t, "seen": seen} for s, t, seen in translation or []]},
            "derived": {"flops": 6.0 * n * d},
        }  # fmt: skip
        digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:8]
        runs.append({"run_id": f"{study}-{i}-{digest}", **body})
    return {"format": PLAN_FORMAT, "study": study, "runs": runs}
