"""``codescale simulate``: fill the results store with synthetic final results for every run of a compiled plan.

Each run of ``plan.json`` (contracts §3) becomes a ``runs`` row (source ``simulate``, status ``completed``), its
``run_languages`` rows and its final evaluations, computed from a ground-truth law (:mod:`.presets`):

- validation loss of each evaluated language i with p_i > 0: the mixture truth L_i(N, D, p) with N =
  ``params_non_embedding`` (falling back to ``params``) and D = the run's tokens, both in billions; a language the run
  does not train on has no truth and is skipped (counted in the report);
- translation loss of each planned direction: the ``shuffled`` law for runs without pairing, ``parallel_seen`` /
  ``parallel_unseen`` for paired runs, with D = the run's total tokens.

A truth may instead hold a ``mixture_law`` (``{"law": NAME, "settings": {...}, "params": {unit: {name: value}}}``,
the shape a stored mixture fit has; :func:`law_truth` builds one from any law of :mod:`.mixlaws`, and ``--truth
fit:FIT_ID`` takes a stored fit): every evaluated domain of a run is then the law's prediction at the run's N, D
(raw counts) and proportions -- for the paper's law, which predicts only the mixture's loss, every evaluated domain
gets that loss. So every parametric law, Eqs. 6-7 included, can generate a rehearsal.

Noise is multiplicative and log-normal, L_obs = L_true · exp(σ·ε), ε ~ N(0, 1), drawn from a generator seeded by
(``seed``, run_id), so a run's values do not depend on which other runs are simulated with it. Re-simulating a run
replaces its rows.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

from codescale.core.contracts import FORMATS, PlanBudget, PlanFile, Run, totals_of
from codescale.core.domains import direction_key
from codescale.core.errors import CodescaleError
from codescale.laws import store
from codescale.laws.presets import mono_loss
from codescale.laws.runfiles import language_rows, run_record


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


def load_plan(path: str | Path) -> PlanFile:
    """A plan.json, or a compiled directory holding one (the core contract's reader)."""
    path = Path(path)
    if path.is_dir():
        path = path / "plan.json"
    return PlanFile.read(path, hint="pass the plan.json written by `codescale compile SPEC -o OUT`")


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
    con: duckdb.DuckDBPyConnection, plan: PlanFile, truth: dict[str, Any], noise: float = 0.005, seed: int = 0
) -> SimulationReport:
    """Write synthetic results for every run of ``plan`` (one transaction)."""
    if noise < 0 or not np.isfinite(noise):
        raise CodescaleError(f"noise must be a finite number >= 0, got {noise}")
    report = SimulationReport()
    run_rows, lang_rows, eval_rows = [], [], []
    for run in plan.runs:
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


def _simulate_run(run: Run, truth: dict[str, Any], noise: float, seed: int, report: SimulationReport):
    run_id = run.run_id
    params = run.model.params_non_embedding or run.model.params
    tokens = run.training.tokens
    proportions = {k: float(v) for k, v in run.mixture.proportions.items()}
    if not params or not tokens or not proportions:
        raise CodescaleError("the run lacks model.params, training.tokens or mixture.proportions",
                             source=run_id, hint="recompile the plan with `codescale compile`")  # fmt: skip
    if "mixture_law" in truth:
        return _simulate_law_run(run, truth["mixture_law"], noise, seed, report)
    if not all(lang in truth["languages"] for lang in proportions):
        report.skipped_runs.append(run_id)
        return None
    n_b, d_b = params / 1e9, tokens / 1e9
    rng = np.random.default_rng([seed, zlib.crc32(run_id.encode())])
    steps = run.training.steps
    record = run_record(run, None, Path("."), "simulate")
    record.update(source="simulate", status="completed", run_dir=None, fingerprint=None, step=steps,
                  tokens_seen=tokens)  # fmt: skip
    base = {"run_id": run_id, "step": steps, "tokens": tokens, "is_final": True}
    evals = []
    for lang in run.eval.languages or run.languages:
        if proportions.get(lang, 0.0) <= 0:
            report.skipped_languages += 1
            continue
        loss = mixture_loss(truth, lang, n_b, d_b, proportions) * np.exp(noise * rng.standard_normal())
        evals.append({**base, "metric": "valid_loss", "language": lang, "loss": float(loss)})
    paired = run.pairing.mode == "parallel"
    for item in run.eval.translation:
        loss = translation_loss(truth, n_b, d_b, paired, item.seen) * np.exp(noise * rng.standard_normal())
        evals.append({**base, "metric": "translation_loss", "language": item.tgt, "src": item.src,
                      "tgt": item.tgt, "direction": direction_key(item.src, item.tgt), "seen": item.seen,
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
) -> PlanFile:
    """A synthetic plan for rehearsals and tests without the compiler: every size × token budget × mixture × seed.

    Sizes are non-embedding parameters and tokens training tokens (raw counts). The runs are complete
    ``codescale.run/1`` objects, but only what the laws read is meaningful: no architecture is chosen (shape fields
    are 0), the schedule is a nominal 1,000 steps, FLOPs are 6ND. Run ids are ``<study>-<i>-<hash8>``.
    """
    runs = []
    for i, (n, d, mix, seed) in enumerate((n, d, m, s) for n in sizes for d in tokens for m in mixtures for s in seeds):
        total = sum(mix.values())
        proportions = {k: v / total for k, v in mix.items()}
        run = synthetic_run(
            f"{study}-{i}",
            study,
            int(n),
            int(d),
            proportions,
            seed=seed,
            translation=translation or [],
            pairing_mode=pairing_mode,
            sweep={"model.size": n, "budget.tokens": d},
        )
        runs.append(run)
    return PlanFile(
        spec=f"{study}.yaml",
        spec_sha256="",
        study=study,
        created="",
        codescale_version="simulate",
        runs=runs,
        totals=totals_of(runs),
        budget=PlanBudget(gpu_hours_limit=None),
    )


def synthetic_run(
    name: str,
    study: str,
    params: int,
    tokens: int,
    proportions: dict[str, float],
    *,
    seed: int = 0,
    translation: Sequence[tuple[str, str, bool]] = (),
    pairing_mode: str = "none",
    sweep: dict[str, Any] | None = None,
) -> Run:
    """One complete synthetic run (see :func:`grid_plan`); its id hashes what the laws read."""
    steps = 1000
    languages = list(proportions)
    body = {
        "format": FORMATS["run"],
        "run_id": "",
        "name": name,
        "study": study,
        "spec": f"{study}.yaml",
        "sweep": sweep or {},
        "languages": languages,
        "model": {
            "size_label": f"{params / 1e9:g}B",
            "target_params": params,
            "n_layers": 0,
            "dim": 0,
            "n_heads": 0,
            "ffn_dim": 0,
            "vocab_size": 0,
            "params": int(params * 1.2),
            "params_non_embedding": params,
            "params_counted": "non_embedding",
        },
        "training": {
            "seq_len": 0,
            "global_batch_tokens": max(1, tokens // steps),
            "global_batch_size": 0,
            "local_batch_size": 0,
            "steps": steps,
            "tokens": tokens,
            "requested_tokens": tokens,
            "lr": 0.0,
            "min_lr_ratio": 0.0,
            "warmup_steps": 0,
            "decay": "cosine",
            "decay_ratio": None,
            "weight_decay": 0.0,
            "seed": seed,
            "max_norm": 1.0,
            "checkpoint_interval": steps,
            "log_interval": steps,
        },
        "mixture": {
            "proportions": proportions,
            "tokens_per_language": {k: int(tokens * v) for k, v in proportions.items()},
            "max_epochs": {k: None for k in languages},
            "kind": "explicit",
        },
        "pairing": {
            "mode": pairing_mode,
            "template": "direct" if pairing_mode == "parallel" else None,
            "pivot": None,
            "directions": [],
            "fraction": 0.0,
            "both_orders": False,
        },
        "eval": {
            "interval_steps": steps,
            "languages": languages,
            "translation": [{"src": s, "tgt": t, "seen": seen} for s, t, seen in translation],
            "max_sequences": 0,
        },
        "cluster": {
            "gpu": "H800",
            "peak_flops": 9.89e14,
            "gpus_per_node": 8,
            "nodes": 1,
            "partition": None,
            "account": None,
            "qos": None,
            "constraint": None,
            "time_limit_min": 1,
            "mfu": 0.4,
            "cpus_per_task": None,
            "mem_gb": None,
            "extra_sbatch": [],
        },
        "parallelism": {"dp_shard": 8, "dp_replicate": 1, "world_size": 8},
        "float8": False,
        "compile": False,
        "activation_checkpointing": "none",
        "derived": {
            "tokens_per_step": max(1, tokens // steps),
            "flops_6nd": 6.0 * params * tokens,
            "flops": 6.0 * params * tokens,
            "gpu_hours": 6.0 * params * tokens / (9.89e14 * 0.4 * 3600),
            "flops_per_token": 6.0 * params,
        },
        "corpus": {"catalog": None, "prepared": None},
        "paths": {"run_dir": None, "job_module": None, "job_function": ""},
    }
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:8]
    body["run_id"] = f"{name}-{digest}"
    return Run.model_validate(body)


def law_truth(law, params: dict[str, dict[str, float]]) -> dict[str, Any]:
    """A truth that generates from a law of the family with these parameters ({unit: {name: value}})."""
    return {"format": "codescale.truth/1", "name": f"law:{law.name}",
            "mixture_law": {"law": law.name, "settings": law.settings(),
                            "params": {u: {k: float(v) for k, v in ps.items()} for u, ps in params.items()}}}  # fmt: skip


def truth_from_fit(con: duckdb.DuckDBPyConnection, fit_id: str) -> dict[str, Any]:
    """A truth generating from a stored parametric mixture fit (``--truth fit:FIT_ID``)."""
    from codescale.laws.fitstore import load_fit

    stored = load_fit(con, fit_id)
    if stored.kind != "mixture" or stored.form == "regression":
        raise CodescaleError(
            f"fit {fit_id} is not a parametric mixture law", hint="pass a `codescale fit mixture` fit id"
        )
    params: dict[str, dict[str, float]] = {}
    for name, value in stored.params.items():
        unit, _, pname = name.rpartition(".")
        params.setdefault(unit, {})[pname] = value
    return {"format": "codescale.truth/1", "name": f"fit:{fit_id}",
            "mixture_law": {"law": stored.form, "settings": stored.settings, "params": params}}  # fmt: skip


def _simulate_law_run(run: Run, spec: dict[str, Any], noise: float, seed: int, report: SimulationReport):
    from codescale.laws.mixdata import MIXTURE
    from codescale.laws.mixlaws import Inputs, law_from_settings

    law = law_from_settings(spec["law"], spec["settings"])
    params = {u: np.array([spec["params"][u][n] for n in law.names(u)]) for u in law.units()}
    proportions = {k: float(v) for k, v in run.mixture.proportions.items()}
    if any(d not in law.train_domains for d in proportions):
        report.skipped_runs.append(run.run_id)
        return None
    params_n = run.model.params_non_embedding or run.model.params
    tokens = run.training.tokens
    p = np.array([[proportions.get(d, 0.0) for d in law.train_domains]])
    x = Inputs(np.array([float(params_n)]), np.array([float(tokens)]), p / p.sum(), np.full(p.shape, np.inf))
    predicted = {t: float(v[0]) for t, v in law.predict(params, x).items()}
    rng = np.random.default_rng([seed, zlib.crc32(run.run_id.encode())])
    record = run_record(run, None, Path("."), "simulate")
    record.update(source="simulate", status="completed", run_dir=None, fingerprint=None, step=run.training.steps,
                  tokens_seen=tokens)  # fmt: skip
    evals = []
    for domain in run.eval.languages or run.languages:
        value = predicted.get(MIXTURE, predicted.get(domain))
        if value is None or not np.isfinite(value):
            report.skipped_languages += 1
            continue
        evals.append({"run_id": run.run_id, "step": run.training.steps, "tokens": tokens, "is_final": True,
                      "metric": "valid_loss", "language": domain,
                      "loss": float(value * np.exp(noise * rng.standard_normal()))})  # fmt: skip
    report.valid_rows += len(evals)
    return record, language_rows(run), evals
