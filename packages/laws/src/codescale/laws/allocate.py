"""``codescale allocate``: the language proportions that minimise predicted loss, written back as a spec.

Law: a stored multilingual fit (:mod:`.multilingual`; ``effective_data`` / ``synergy_factor`` predict each language,
``paper`` only the mixture), or per-language fits alone (a batch id or comma list of chinchilla fits), in which case
language i simply sees D·p_i tokens (no transfer).

Objective over proportions p on the simplex, at N = ``--size`` (non-embedding parameters) and D = ``--tokens``:
the weighted mean predicted loss Σ_i w_i L_i(N, D, p) / Σ_i w_i over the allocated languages (weights default to 1;
for the ``paper`` law, which has no per-language losses, the predicted mixture loss L(N, D; p) — degenerate, since
L∞(p) = Σ p_k L∞_k favours the easiest languages, so that case carries a warning).

Constraints: Σ p_i = 1; lo_i ≤ p_i ≤ hi_i from ``--min-share`` / ``--max-share``; and each language's data cap,
p_i·D ≤ available_i × max_epochs, with available_i the training tokens in the prepared corpus's ``manifest.json``
(contracts §2) when ``--prepared`` is given. Infeasible bounds are an error that says which bound to relax.

Optimiser: SLSQP from the uniform point, the bounds' midpoint and random Dirichlet points (``--starts``); the
lowest objective wins, and a warning is printed when starts disagree on the optimum by more than 1e-3 in any share.

Uncertainty: for every bootstrap draw of the per-language laws stored with the fit, the objective at the optimum and
at the uniform allocation are recomputed; the predicted gain (uniform − optimum) is reported as the point estimate
with a 95% percentile interval over draws (the allocation itself is held fixed).

Outputs: an allocation file (``codescale.allocation/1``: proportions, tokens, size, fit_id, predictions) and, with
``-o``, a spec whose mixture is ``from_allocation: <that file>`` — a copy of ``--base-spec`` with model size and
token budget set and any sweep removed, or a standalone single-run spec — that ``codescale compile`` accepts.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import minimize

from codescale.core.contracts import PreparedManifest
from codescale.core.domains import canonical
from codescale.core.errors import CodescaleError
from codescale.core.quantities import parse_quantity
from codescale.laws.fitstore import fits_in_batch, load_fit
from codescale.laws.multilingual import LAW_KEYS, MixtureLaw, law_from_fit, law_in_billions

ALLOCATION_FORMAT = "codescale.allocation/1"


@dataclass
class Allocation:
    fit_id: str
    model: str
    languages: list[str]
    proportions: dict[str, float]
    tokens: float
    size: float
    objective: float
    uniform_objective: float
    per_language: dict[str, float]
    uniform_per_language: dict[str, float]
    gain_interval: tuple[float, float] | None = None
    draws: int = 0
    warnings: list[str] = field(default_factory=list)
    caps: dict[str, float] = field(default_factory=dict)
    written: list[str] = field(default_factory=list)

    @property
    def gain(self) -> float:
        return self.uniform_objective - self.objective

    def as_json(self) -> dict[str, Any]:
        return {
            "format": ALLOCATION_FORMAT,
            "proportions": self.proportions,
            "tokens": int(self.tokens),
            "size": int(self.size),
            "fit_id": self.fit_id,
            "predicted": {
                "model": self.model, "objective": self.objective, "uniform_objective": self.uniform_objective,
                "gain_over_uniform": self.gain,
                "gain_interval_95": list(self.gain_interval) if self.gain_interval else None,
                "bootstrap_draws": self.draws, "per_language": self.per_language,
                "uniform_per_language": self.uniform_per_language,
            },
            "caps_tokens": self.caps or None,
        }  # fmt: skip

    def render(self) -> str:
        lines = [f"allocation for N = {_human(self.size)}, D = {_human(self.tokens)} tokens under {self.fit_id} "
                 f"({self.model})",
                 f"{'language':12s} {'share':>7s} {'tokens':>9s} {'uniform':>8s} {'pred. loss':>10s} {'vs uniform':>10s}"]  # fmt: skip
        k = len(self.languages)
        for lang in self.languages:
            p = self.proportions[lang]
            pl, ul = self.per_language.get(lang), self.uniform_per_language.get(lang)
            loss = f"{pl:10.4f}" if pl is not None else f"{'-':>10s}"
            diff = f"{pl - ul:+10.4f}" if pl is not None and ul is not None else f"{'-':>10s}"
            lines.append(f"{lang:12s} {100 * p:6.2f}% {_human(p * self.tokens):>9s} {100 / k:7.2f}% {loss} {diff}")
        ci = (f" (95% interval {self.gain_interval[0]:+.4f} .. {self.gain_interval[1]:+.4f} over {self.draws} "
              "bootstrap draws)") if self.gain_interval else " (no bootstrap draws stored with the fit: no interval)"  # fmt: skip
        lines.append(f"objective {self.objective:.5f} vs uniform {self.uniform_objective:.5f}: predicted gain "
                     f"{self.gain:+.5f}{ci}")  # fmt: skip
        lines += [f"warning: {w}" for w in self.warnings]
        lines += [f"wrote {p}" for p in self.written]
        return "\n".join(lines)


def load_law(con, fit_id: str) -> tuple[MixtureLaw, dict[str, list[float]]]:
    """A multilingual fit, or per-language fits (batch id / comma list) as independent languages."""
    ids = fits_in_batch(con, fit_id) or [s.strip() for s in fit_id.split(",") if s.strip()]
    if len(ids) == 1:
        fit = load_fit(con, ids[0])
        if fit.kind == "multilingual":
            return law_from_fit(fit), fit.samples
        ids = [fit.fit_id]
    laws, samples = {}, {}
    for i in ids:
        fit = load_fit(con, i)
        if fit.kind != "chinchilla" or fit.group_key != "language":
            raise CodescaleError(f"fit {i} is a {fit.kind} fit; allocate needs a multilingual fit or per-language fits")
        laws[fit.group_value] = law_in_billions(fit)
        if fit.samples:
            from codescale.laws import forms

            units = fit.settings.get("units", "raw")
            for s in range(len(fit.samples["A"])):
                draw = forms.convert_params({k: fit.samples[k][s] for k in LAW_KEYS}, units, "billions")
                for k in LAW_KEYS:
                    samples.setdefault(f"{fit.group_value}.{k}", []).append(draw[k])
    languages = sorted(laws)
    return MixtureLaw("effective_data", languages, laws, {}, {"kappa": 0.0}), samples


def _shares(text: str | None, languages: list[str], default: float) -> np.ndarray:
    out = np.full(len(languages), default)
    if not text:
        return out
    if "=" not in text:
        return np.full(len(languages), float(text))
    for item in text.split(","):
        name, _, value = item.partition("=")
        lang = canonical(name)
        if lang not in languages:
            raise CodescaleError(f"{lang} is not one of the allocated languages ({', '.join(languages)})")
        out[languages.index(lang)] = float(value)
    return out


def _caps(prepared: str | None, languages: list[str], max_epochs: float) -> dict[str, float]:
    if not prepared:
        return {}
    manifest = PreparedManifest.read_dir(prepared)
    caps = {}
    for lang in languages:
        if "train" not in manifest.languages.get(lang, {}):
            raise CodescaleError(f"the prepared corpus has no training tokens for {lang}",
                                 source=Path(prepared) / "manifest.json",
                                 hint="drop the language with --languages or prepare it")  # fmt: skip
        caps[lang] = float(manifest.train_tokens(lang)) * max_epochs
    return caps


def optimise(law: MixtureLaw, languages: list[str], n_b: float, d_b: float, weights: np.ndarray, lo: np.ndarray,
             hi: np.ndarray, starts: int = 16, seed: int = 0, laws=None):  # fmt: skip
    """Minimise the objective over p (in ``languages`` order, other law languages at 0)."""
    idx = [law.languages.index(lang) for lang in languages]

    def full_p(p):
        out = np.zeros((1, len(law.languages)))
        out[0, idx] = p
        return out

    def objective(p, laws=laws):
        p = np.clip(p, 1e-12, None)
        if law.model == "paper":
            return float(law.predict_mixture([n_b], [d_b], full_p(p), laws=laws)[0])
        per = law.predict_languages([n_b], [d_b], full_p(p), laws=laws)[0, idx]
        return float((weights * per).sum() / weights.sum())

    rng = np.random.default_rng(seed)
    k = len(languages)
    candidates = [np.full(k, 1.0 / k), (lo + hi) / 2] + [rng.dirichlet(np.ones(k)) for _ in range(max(0, starts - 2))]
    results = []
    for x0 in candidates:
        x0 = np.clip(x0, lo, hi)
        x0 = x0 / x0.sum() if x0.sum() > 0 else np.full(k, 1.0 / k)
        res = minimize(objective, x0, method="SLSQP", bounds=list(zip(lo, hi)),
                       constraints=[{"type": "eq", "fun": lambda p: p.sum() - 1.0}],
                       options={"ftol": 1e-12, "maxiter": 500})  # fmt: skip
        if res.success and np.all(res.x >= lo - 1e-9) and np.all(res.x <= hi + 1e-9) and abs(res.x.sum() - 1) < 1e-6:
            results.append((res.fun, np.clip(res.x, lo, hi)))
    if not results:
        raise CodescaleError("the allocation optimiser found no feasible point", hint="relax the share bounds or caps")
    results.sort(key=lambda t: t[0])
    spread = max(np.abs(x - results[0][1]).max() for f, x in results if f - results[0][0] < 1e-9 * abs(results[0][0]) + 1e-12)
    return results[0][1] / results[0][1].sum(), objective, float(spread)


def allocate(con, fit_id: str, tokens: float, size: float, languages: list[str] | None = None,
             weights: str | None = None, min_share: str | None = None, max_share: str | None = None,
             prepared: str | None = None, max_epochs: float = 4.0, starts: int = 16, seed: int = 0) -> Allocation:  # fmt: skip
    law, samples = load_law(con, fit_id)
    langs = [canonical(x) for x in languages] if languages else list(law.languages)
    unknown = [x for x in langs if x not in law.languages]
    if unknown:
        raise CodescaleError(f"the fit has no law for {', '.join(unknown)}", hint=f"it covers {', '.join(law.languages)}")
    if tokens <= 0 or size <= 0:
        raise CodescaleError("--tokens and --size must be positive")
    w = _shares(weights, langs, 1.0)
    lo, hi = _shares(min_share, langs, 0.0), _shares(max_share, langs, 1.0)
    caps = _caps(prepared, langs, max_epochs)
    for i, lang in enumerate(langs):
        if lang in caps:
            hi[i] = min(hi[i], caps[lang] / tokens)
    if np.any(w < 0) or w.sum() <= 0:
        raise CodescaleError("--weights must be >= 0 and not all 0")
    if np.any(lo > hi):
        bad = [lang for lang, a, b in zip(langs, lo, hi) if a > b]
        raise CodescaleError(f"min share above max share (or data cap) for {', '.join(bad)}")
    if lo.sum() > 1 + 1e-9:
        raise CodescaleError(f"the minimum shares sum to {lo.sum():.3f} > 1", hint="lower --min-share")
    if hi.sum() < 1 - 1e-9:
        raise CodescaleError(f"the maximum shares (with data caps) sum to {hi.sum():.3f} < 1: not enough data",
                             hint="raise --max-share or --max-epochs, add languages, or lower --tokens")  # fmt: skip
    n_b, d_b = size / 1e9, tokens / 1e9
    p, objective, spread = optimise(law, langs, n_b, d_b, w, lo, hi, starts, seed)
    uniform = np.full(len(langs), 1.0 / len(langs))
    warnings = []
    if spread > 1e-3:
        warnings.append(f"starts reached the same objective with shares differing by up to {spread:.3g}: "
                        "the optimum is flat in some direction")  # fmt: skip
    if law.model == "paper":
        warnings.append("the paper's law predicts the mixture's own loss, whose L∞(p) = Σ p_k L∞_k is lowest when the "
                        "tokens go to the languages with the lowest L∞; its optimum says little about each language "
                        "(set --min-share, or allocate with an effective_data / synergy_factor fit)")  # fmt: skip
    if np.any(uniform > hi + 1e-12) or np.any(uniform < lo - 1e-12):
        warnings.append("the uniform allocation violates the bounds/caps; it is still reported as the baseline")
    per, per_u = _per_language(law, langs, n_b, d_b, p), _per_language(law, langs, n_b, d_b, uniform)
    result = Allocation(fit_id, law.model, langs, {lang: float(x) for lang, x in zip(langs, p)}, tokens, size,
                        objective(p), objective(uniform), per, per_u, warnings=warnings, caps=caps)  # fmt: skip
    draws = _draws(samples, law)
    if draws:
        gains = np.array([objective(uniform, laws=d) - objective(p, laws=d) for d in draws])
        gains = gains[np.isfinite(gains)]
        if len(gains):
            result.gain_interval = (float(np.percentile(gains, 2.5)), float(np.percentile(gains, 97.5)))
            result.draws = len(gains)
    return result


def _per_language(law: MixtureLaw, langs, n_b, d_b, p) -> dict[str, float]:
    if law.model == "paper":
        return {}
    full = np.zeros((1, len(law.languages)))
    full[0, [law.languages.index(x) for x in langs]] = p
    values = law.predict_languages([n_b], [d_b], full)[0]
    return {lang: float(values[law.languages.index(lang)]) for lang in langs}


def _draws(samples: dict[str, list[float]], law: MixtureLaw) -> list[dict[str, dict[str, float]]]:
    """Per-draw law dicts, when every language has draws (unequal counts are truncated to the shortest)."""
    keys = [f"{lang}.{k}" for lang in law.languages for k in LAW_KEYS]
    if not samples or any(k not in samples for k in keys):
        return []
    count = min(len(samples[k]) for k in keys)
    return [{lang: {k: samples[f"{lang}.{k}"][s] for k in LAW_KEYS} for lang in law.languages} for s in range(count)]


def write_outputs(result: Allocation, output: str | None, base_spec: str | None, allocation_file: str | None) -> None:
    """The allocation JSON (always, next to the spec by default) and the spec YAML (with ``output``)."""
    import yaml

    if allocation_file is None:
        allocation_file = str(Path(output).with_suffix(".allocation.json")) if output else "allocation.json"
    alloc_path = Path(allocation_file)
    alloc_path.parent.mkdir(parents=True, exist_ok=True)
    alloc_path.write_text(json.dumps(result.as_json(), indent=2) + "\n")
    result.written.append(str(alloc_path))
    if not output:
        return
    spec_path = Path(output)
    spec_path.parent.mkdir(parents=True, exist_ok=True)
    rel = os.path.relpath(alloc_path.resolve(), spec_path.resolve().parent)
    if base_spec:
        try:
            spec = yaml.safe_load(Path(base_spec).read_text())
        except (OSError, yaml.YAMLError) as err:
            raise CodescaleError(f"cannot read the base spec: {err}", source=base_spec) from None
        if not isinstance(spec, dict):
            raise CodescaleError("the base spec is not a YAML mapping", source=base_spec)
        spec = _rebase_paths(spec, Path(base_spec).resolve().parent, spec_path.resolve().parent)
    else:
        spec = _standalone_spec()
    max_epochs = (spec.get("mixture") or {}).get("max_epochs")
    spec["mixture"] = {"from_allocation": rel, **({"max_epochs": max_epochs} if max_epochs is not None else {})}
    spec.setdefault("model", {})["size"] = _quantity(result.size)
    spec.setdefault("budget", {})["tokens"] = _quantity(result.tokens)
    spec.pop("sweep", None)
    spec["study"] = spec.get("study", "allocation")
    spec["description"] = (f"law-guided allocation from {result.fit_id}: predicted gain {result.gain:+.4f} nats "
                           "over uniform")  # fmt: skip
    header = (f"# Written by `codescale allocate {result.fit_id}`; proportions in {rel}.\n"
              + ("" if base_spec else "# Standalone single-run spec: set corpus and cluster before compiling for real.\n"))  # fmt: skip
    spec_path.write_text(header + yaml.safe_dump(spec, sort_keys=False))
    result.written.append(str(spec_path))


def _human(x: float) -> str:
    """3 significant digits with the largest fitting suffix: 350B, 1.5B, 402k (demo-sized studies too)."""
    for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= scale:
            return f"{x / scale:.3g}{suffix}"
    return f"{x:.3g}"


def _quantity(x: float) -> str:
    return f"{x / 1e9:g}B"


def _rebase_paths(spec: dict, old_dir: Path, new_dir: Path) -> dict:
    corpus = spec.get("corpus")
    if isinstance(corpus, dict):
        for key in ("catalog", "prepared"):
            if isinstance(corpus.get(key), str) and not os.path.isabs(corpus[key]):
                corpus[key] = os.path.relpath((old_dir / corpus[key]).resolve(), new_dir)
    return spec


def _standalone_spec() -> dict[str, Any]:
    return {
        "study": "allocation",
        "model": {"vocab_size": 32768},
        "budget": {},
        "training": {"seq_len": 4096, "global_batch_tokens": "4Mi", "lr": 3.0e-4, "warmup": 2000, "decay": "cosine",
                     "min_lr_ratio": 0.1},
        "cluster": {"gpu": "H800", "gpus_per_node": 8, "nodes": 8, "mfu": 0.4},
    }  # fmt: skip


def allocate_from_args(con, args) -> Allocation:
    try:
        tokens, size = parse_quantity(args.tokens), parse_quantity(args.size)
    except ValueError as err:
        raise CodescaleError(f"--tokens/--size: {err}") from None
    languages = args.languages.split(",") if args.languages else None
    result = allocate(con, args.fit_id, tokens, size, languages, args.weights, args.min_share, args.max_share,
                      args.prepared, args.max_epochs, args.starts, args.seed)  # fmt: skip
    write_outputs(result, args.output, args.base_spec, args.allocation_file)
    return result
