"""``codescale allocate``: the domain proportions that minimise predicted loss, written back as a spec.

Law: any stored mixture fit (:mod:`.mixture`: paper, ye_exp, joint_additive, joint, effective_data, synergy_factor,
regression), or per-domain fits alone (a batch id or comma list of chinchilla fits), in which case domain i simply
sees D·p_i tokens (the ``effective_data`` law with τ = 0).

Objective over proportions p of the law's training domains, at N = ``--size`` (non-embedding parameters) and
D = ``--tokens``: the weighted mean of the predicted losses of the evaluated domains, Σ_i w_i L_i(N, D, p) / Σ_i w_i
(``--weights``, default 1 for every evaluated domain the law predicts; for the ``paper`` law, which predicts only the
mixture's own loss, that loss -- degenerate, since L∞(p) = Σ p_k L∞_k favours the easiest domains, so that case
carries a warning). Laws fitted at a single scale (``ye_exp`` without several scales, ``regression`` without N, D
features) predict the same at every N, D: the allocation then assumes, as RegMix does, that the ranking of mixtures
transfers to the target scale, and says so.

Constraints: Σ p_i = 1; lo_i ≤ p_i ≤ hi_i from ``--min-share`` / ``--max-share``; and each domain's data cap,
p_i·D ≤ available_i × max_epochs, with available_i the training tokens in the prepared corpus's ``manifest.json``
(``--prepared``) or given by ``--available domain=TOKENS,...``. Infeasible bounds are an error that says which bound
to relax. The available tokens also enter the law as the domains' unique tokens, so a share that repeats data is
charged the repetition term (:mod:`.repetition`) by every law with a data term.

Optimiser: SLSQP from the uniform point, the bounds' midpoint and random Dirichlet points (``--starts``); the lowest
objective wins, and a warning is printed when starts disagree on the optimum by more than 1e-3 in any share. The
regression's prediction is piecewise constant, so for it the optimum is RegMix's: the mean of the 100 best of 20,000
random mixtures within the bounds.

Uncertainty: for every converged bootstrap replicate of the mixture law (its own parameters, together with the same
replicate of the per-domain laws it builds on, where those were bootstrapped; for regression, the bootstrap trees),
the objective at the optimum and at the uniform allocation are recomputed; the predicted gain (uniform − optimum) is
reported with a 95% percentile interval over those replicates and their count (the allocation itself is held fixed).

Outputs: an allocation file (``codescale.allocation/1``: proportions, tokens, size, fit_id, predictions) and, with
``-o``, a spec whose mixture is ``from_allocation: <that file>`` -- a copy of ``--base-spec`` with model size and
token budget set and any sweep removed, or a standalone single-run spec -- that ``codescale compile`` accepts. The
allocation is also recorded in the results store (:func:`record`: tables ``allocations`` and ``allocation_domains``),
where the view ``allocation_check`` sets its predicted gain beside the gain realised by runs trained on it and on
the uniform mixture at the same N and D.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, overload

import numpy as np
from scipy.optimize import minimize

from codescale.core.contracts import PreparedManifest
from codescale.core.domains import domain_id
from codescale.core.errors import CodescaleError
from codescale.core.io import atomic_write_text
from codescale.laws.fitstore import fits_in_batch, load_fit

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
    weights: dict[str, float] = field(default_factory=dict)
    """Weight of each evaluated domain in the objective."""

    @property
    def gain(self) -> float:
        return self.uniform_objective - self.objective

    @property
    def allocation_id(self) -> str:
        """``alloc-<hash8>`` of the allocation file's content: the same allocation recorded twice is one row."""
        import hashlib

        text = json.dumps(self.as_json(), sort_keys=True)
        return "alloc-" + hashlib.sha256(text.encode()).hexdigest()[:8]

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
                **({"weights": self.weights} if self.weights else {}),
            },
            "caps_tokens": self.caps or None,
        }  # fmt: skip

    def render(self) -> str:
        width = max([12] + [len(x) for x in [*self.languages, *self.per_language]])
        lines = [f"allocation for N = {_human(self.size)}, D = {_human(self.tokens)} tokens under {self.fit_id} "
                 f"({self.model})",
                 f"{'domain':{width}s} {'share':>7s} {'tokens':>9s} {'uniform':>8s} {'pred. loss':>10s} {'vs uniform':>10s}"]  # fmt: skip
        k = len(self.languages)
        rows = list(dict.fromkeys([*self.languages, *self.per_language]))
        for lang in rows:
            p = self.proportions.get(lang)
            pl, ul = self.per_language.get(lang), self.uniform_per_language.get(lang)
            loss = f"{pl:10.4f}" if pl is not None and np.isfinite(pl) else f"{'-':>10s}"
            diff = f"{pl - ul:+10.4f}" if pl is not None and ul is not None and np.isfinite(pl - ul) else f"{'-':>10s}"
            share = (f"{100 * p:6.2f}% {_human(p * self.tokens):>9s} {100 / k:7.2f}%" if p is not None
                     else f"{'-':>7s} {'-':>9s} {'-':>8s}")  # fmt: skip
            lines.append(f"{lang:{width}s} {share} {loss} {diff}")
        ci = (f" (95% interval {self.gain_interval[0]:+.4f} .. {self.gain_interval[1]:+.4f} over {self.draws} "
              "bootstrap draws)") if self.gain_interval else " (no bootstrap draws stored with the fit: no interval)"  # fmt: skip
        lines.append(f"objective {self.objective:.5f} vs uniform {self.uniform_objective:.5f}: predicted gain "
                     f"{self.gain:+.5f}{ci}")  # fmt: skip
        lines += [f"warning: {w}" for w in self.warnings]
        lines += [f"wrote {p}" for p in self.written]
        return "\n".join(lines)


def load_law(con, fit_id: str):
    """(MixtureFit, per-replicate domain-law draws or None): a stored mixture fit, or per-domain fits."""
    from codescale.laws import mixture
    from codescale.laws.domainlaws import LAW_KEYS, law_in_billions
    from codescale.laws.mixfit import FitOptions, UnitFit
    from codescale.laws.mixlaws import SHARED, TransferLaw

    ids = fits_in_batch(con, fit_id) or [s.strip() for s in fit_id.split(",") if s.strip()]
    if len(ids) == 1:
        stored = load_fit(con, ids[0])
        if stored.kind in ("mixture", "multilingual"):
            fit = mixture.from_stored(con, stored)
            per_domain = stored.settings.get("per_domain_fits") or {}
            return fit, _domain_draws(con, per_domain, fit)
        ids = ids[:1]  # a per-domain fit given by its id
    fits = {}
    for i in ids:
        stored = load_fit(con, i)
        if stored.kind != "chinchilla" or stored.group_key != "language" or stored.group_value is None:
            raise CodescaleError(f"fit {i} is a {stored.kind} fit; allocate needs a mixture fit or per-domain fits")
        fits[stored.group_value] = stored
    domains = sorted(fits)
    laws = {d: law_in_billions(f) for d, f in fits.items()}
    law = TransferLaw("effective_data", domains, domains, laws, np.zeros((len(domains), len(domains))))
    unit = UnitFit(("kappa",), np.array([0.0]), 0.0, True)
    draws = _domain_draws(con, {d: f.saved_id for d, f in fits.items()}, None, loaded=fits)
    if draws:
        unit.samples = np.zeros((len(next(iter(draws.values()))[LAW_KEYS[0]]), 1))
    return mixture.MixtureFit(law, {SHARED: unit}, FitOptions(), [], []), draws


def _domain_draws(con, per_domain: dict[str, str], fit, loaded=None) -> dict | None:
    """{domain: {param: [draws]}} of the per-domain laws (billions), or None without draws."""
    from codescale.laws import forms
    from codescale.laws.domainlaws import LAW_KEYS

    if fit is not None and not hasattr(fit.law, "domain_laws"):
        return None
    out = {}
    for domain, fid in per_domain.items():
        stored = (loaded or {}).get(domain) or load_fit(con, fid)
        if not stored.samples or "A" not in stored.samples:
            return None
        units = stored.settings.get("units", "raw")
        rows = [forms.convert_params({k: stored.samples[k][b] if k in stored.samples else 0.0 for k in LAW_KEYS},
                                     units, "billions") for b in range(len(stored.samples["A"]))]  # fmt: skip
        out[domain] = {k: [r[k] for r in rows] for k in LAW_KEYS}
    return out or None


PerDomain = float | Mapping[str, float]
"""A value for every domain, or {domain: value} for some (the others keep the default)."""


def _shares(value: PerDomain | None, domains: list[str], default: float) -> np.ndarray:
    if value is None:
        return np.full(len(domains), default)
    if not isinstance(value, Mapping):
        return np.full(len(domains), float(value))
    out = np.full(len(domains), default)
    for name, share in value.items():
        domain = domain_id(name)
        if domain not in domains:
            raise CodescaleError(f"{domain} is not one of the allocated domains ({', '.join(domains)})")
        out[domains.index(domain)] = float(share)
    return out


def _available(
    prepared: str | Path | None, available: Mapping[str, float] | None, domains: list[str]
) -> dict[str, float]:
    out: dict[str, float] = {}
    if prepared:
        manifest = PreparedManifest.read_dir(prepared)
        for domain in domains:
            if "train" not in manifest.languages.get(domain, {}):
                raise CodescaleError(f"the prepared corpus has no training tokens for {domain}",
                                     source=Path(prepared) / "manifest.json",
                                     hint="drop the domain with --languages or prepare it")  # fmt: skip
            out[domain] = float(manifest.train_tokens(domain))
    for name, tokens in (available or {}).items():
        out[domain_id(name)] = float(tokens)
    return out


@dataclass
class Objective:
    """Weighted mean predicted loss of a fitted mixture law at one (N, D), as a function of the allocated shares."""

    fit: Any
    allocated: list[str]
    n: float
    d: float
    targets: list[str]
    weights: np.ndarray
    unique: np.ndarray  # (T,) available tokens per training domain (inf = unlimited)

    def inputs(self, shares: np.ndarray):
        from codescale.laws.mixlaws import Inputs

        shares = np.atleast_2d(shares)
        train = self.fit.law.train_domains
        p = np.zeros((len(shares), len(train)))
        for j, domain in enumerate(self.allocated):
            p[:, train.index(domain)] = shares[:, j]
        p = np.clip(p, 0.0, None)
        p = p / np.maximum(p.sum(axis=1, keepdims=True), 1e-300)
        r = len(shares)
        return Inputs(np.full(r, self.n), np.full(r, self.d), p, np.tile(self.unique, (r, 1)))

    @overload
    def per_target(self, shares: np.ndarray, draw: None = None) -> dict[str, np.ndarray]: ...
    @overload
    def per_target(self, shares: np.ndarray, draw: int) -> dict[str, np.ndarray] | None: ...

    def per_target(self, shares: np.ndarray, draw: int | None = None) -> dict[str, np.ndarray] | None:
        """Predicted loss per target domain for each row of ``shares``: the fit's own (always defined), or bootstrap
        replicate ``draw``'s (None where one of its units did not converge)."""
        x = self.inputs(shares)
        return self.fit.predict(x) if draw is None else self.fit.predict_draw(draw, x)

    def __call__(self, shares: np.ndarray, draw: int | None = None) -> np.ndarray:
        per = self.per_target(shares, draw)
        if per is None:
            return np.full(len(np.atleast_2d(shares)), np.nan)
        values = np.stack([per[t] for t in self.targets], axis=1)
        return (values * self.weights).sum(axis=1) / self.weights.sum()


def optimise(objective: Objective, lo: np.ndarray, hi: np.ndarray, starts: int = 16, seed: int = 0,
             search: bool = False):  # fmt: skip
    """Minimise the objective over the allocated shares; -> (shares, spread of equally good optima)."""
    rng = np.random.default_rng(seed)
    k = len(lo)
    if search:  # piecewise-constant predictions: RegMix's search over random mixtures
        candidates = _sample_within(rng, lo, hi, 20_000)
        values = objective(candidates)
        top = candidates[np.argsort(values)[:100]]
        best = np.clip(top.mean(axis=0), lo, hi)
        return best / best.sum(), 0.0
    candidates = [np.full(k, 1.0 / k), (lo + hi) / 2] + [rng.dirichlet(np.ones(k)) for _ in range(max(0, starts - 2))]
    results = []
    for x0 in candidates:
        x0 = np.clip(x0, lo, hi)
        x0 = x0 / x0.sum() if x0.sum() > 0 else np.full(k, 1.0 / k)
        res = minimize(lambda x: float(objective(np.clip(x, 1e-12, None))[0]), x0, method="SLSQP",
                       bounds=list(zip(lo, hi)), constraints=[{"type": "eq", "fun": lambda x: x.sum() - 1.0}],
                       options={"ftol": 1e-12, "maxiter": 500})  # fmt: skip
        ok = np.all(res.x >= lo - 1e-9) and np.all(res.x <= hi + 1e-9) and abs(res.x.sum() - 1) < 1e-6
        if res.success and ok and np.isfinite(res.fun):
            results.append((res.fun, np.clip(res.x, lo, hi)))
    if not results:
        raise CodescaleError("the allocation optimiser found no feasible point", hint="relax the share bounds or caps")
    results.sort(key=lambda t: t[0])
    best_f = results[0][0]
    spread = max(np.abs(x - results[0][1]).max() for f, x in results if f - best_f < 1e-9 * abs(best_f) + 1e-12)
    return results[0][1] / results[0][1].sum(), float(spread)


def _sample_within(rng, lo, hi, count: int) -> np.ndarray:
    out = rng.dirichlet(np.ones(len(lo)), size=count * 2)
    out = lo + out * max(1e-12, 1 - lo.sum())  # respects the lower bounds, sums to 1
    keep = np.all(out <= hi + 1e-12, axis=1)
    if keep.sum() < 100:
        raise CodescaleError("the bounds leave too little room to search", hint="relax --max-share or the caps")
    return out[keep][:count]


def allocate(con, fit_id: str, tokens: float, size: float, languages: list[str] | None = None,
             weights: PerDomain | None = None, min_share: PerDomain | None = None, max_share: PerDomain | None = None,
             prepared: str | Path | None = None, max_epochs: float = 4.0, starts: int = 16, seed: int = 0,
             available: Mapping[str, float] | None = None) -> Allocation:  # fmt: skip
    """Optimise the shares of ``languages`` (default: every training domain of the law) under fit ``fit_id``.

    ``weights`` of the evaluated domains' losses (default 1 each), ``min_share`` / ``max_share`` bounds on the
    allocated shares (default 0 and 1), ``available`` distinct training tokens per domain (with or instead of the
    ``prepared`` corpus's), which caps a share at ``available x max_epochs`` tokens.
    """
    from codescale.laws.mixdata import MIXTURE

    fit, domain_draws = load_law(con, fit_id)
    train = list(fit.law.train_domains)
    domains = [domain_id(x) for x in languages] if languages else list(train)
    unknown = [x for x in domains if x not in train]
    if unknown:
        raise CodescaleError(
            f"the fit has no training domain {', '.join(unknown)}", hint=f"it covers {', '.join(train)}"
        )
    if tokens <= 0 or size <= 0:
        raise CodescaleError("--tokens and --size must be positive")
    targets = [t for t in fit.targets()]
    w = _shares(weights, targets, 1.0) if targets != [MIXTURE] else np.ones(1)
    lo, hi = _shares(min_share, domains, 0.0), _shares(max_share, domains, 1.0)
    have = _available(prepared, available, domains)
    caps = {d: v * max_epochs for d, v in have.items()}
    for i, domain in enumerate(domains):
        if domain in caps:
            hi[i] = min(hi[i], caps[domain] / tokens)
    if np.any(w < 0) or w.sum() <= 0:
        raise CodescaleError("--weights must be >= 0 and not all 0")
    if np.any(lo > hi):
        bad = [d for d, a, b in zip(domains, lo, hi) if a > b]
        raise CodescaleError(f"min share above max share (or data cap) for {', '.join(bad)}")
    if lo.sum() > 1 + 1e-9:
        raise CodescaleError(f"the minimum shares sum to {lo.sum():.3f} > 1", hint="lower --min-share")
    if hi.sum() < 1 - 1e-9:
        raise CodescaleError(f"the maximum shares (with data caps) sum to {hi.sum():.3f} < 1: not enough data",
                             hint="raise --max-share or --max-epochs, add domains, or lower --tokens")  # fmt: skip
    unique = np.array([have.get(d, np.inf) for d in train])
    objective = Objective(fit, domains, float(size), float(tokens), targets, w, unique)
    is_regression = fit.name == "regression"
    shares, spread = optimise(objective, lo, hi, starts, seed, search=is_regression)
    uniform = np.full(len(domains), 1.0 / len(domains))
    warnings = []
    if spread > 1e-3:
        warnings.append(f"starts reached the same objective with shares differing by up to {spread:.3g}: "
                        "the optimum is flat in some direction")  # fmt: skip
    if fit.name == "paper":
        warnings.append("the paper's law predicts the mixture's own loss, whose L∞(p) = Σ p_k L∞_k is lowest when the "
                        "tokens go to the domains with the lowest L∞; its optimum says little about each domain "
                        "(set --min-share, or allocate with another law)")  # fmt: skip
    if _scale_free(fit):
        warnings.append(f"{fit.name} was fitted at a single scale: its predictions do not depend on N and D, so this "
                        "allocation assumes the ranking of mixtures transfers to the target scale (RegMix's assumption)")  # fmt: skip
    if np.any(uniform > hi + 1e-12) or np.any(uniform < lo - 1e-12):
        warnings.append("the uniform allocation violates the bounds/caps; it is still reported as the baseline")
    both = np.vstack([shares, uniform])
    per = objective.per_target(both)
    result = Allocation(fit_id, fit.name, domains, {d: float(x) for d, x in zip(domains, shares)}, tokens, size,
                        float(objective(shares)[0]), float(objective(uniform)[0]),
                        {t: float(v[0]) for t, v in per.items()}, {t: float(v[1]) for t, v in per.items()},
                        warnings=warnings, caps=caps,
                        weights={t: float(x) for t, x in zip(targets, w)})  # fmt: skip
    gains = []
    for b in range(fit.n_draws()):
        draw_fit = _with_domain_draw(fit, domain_draws, b)
        if draw_fit is None:
            continue
        values = Objective(draw_fit, domains, float(size), float(tokens), targets, w, unique)(both, draw=b)
        if np.all(np.isfinite(values)):
            gains.append(values[1] - values[0])
    if gains:
        result.gain_interval = (float(np.percentile(gains, 2.5)), float(np.percentile(gains, 97.5)))
        result.draws = len(gains)
    return result


def _scale_free(fit) -> bool:
    if fit.name == "regression":
        return not (fit.law.use_n or fit.law.use_d)
    return fit.name == "ye_exp" and fit.nested is None


def _with_domain_draw(fit, domain_draws, b: int):
    """The fit with replicate b of its per-domain laws swapped in (the fit itself when it has none)."""
    import copy

    if not domain_draws:
        return fit
    if any(b >= len(v["A"]) for v in domain_draws.values()):
        return None
    law = copy.copy(fit.law)
    law.domain_laws = {d: {k: (domain_draws[d][k][b] if d in domain_draws else v) for k, v in values.items()}
                       for d, values in fit.law.domain_laws.items()}  # fmt: skip
    if hasattr(law, "alpha"):  # the paper's law caches the weighted exponents
        law.alpha = np.array([law.domain_laws[t]["alpha"] for t in law.train_domains])
        law.beta = np.array([law.domain_laws[t]["beta"] for t in law.train_domains])
        law.e_inf = np.array([law.domain_laws[t]["E"] for t in law.train_domains])
    draw = copy.copy(fit)
    draw.law = law
    return draw


def write_outputs(result: Allocation, output: str | None, base_spec: str | None, allocation_file: str | None) -> None:
    """The allocation JSON (always, next to the spec by default) and the spec YAML (with ``output``)."""
    import yaml

    if allocation_file is None:
        allocation_file = str(Path(output).with_suffix(".allocation.json")) if output else "allocation.json"
    alloc_path = Path(allocation_file)
    alloc_path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(alloc_path, json.dumps(result.as_json(), indent=2) + "\n")
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
    atomic_write_text(spec_path, header + yaml.safe_dump(spec, sort_keys=False))
    result.written.append(str(spec_path))


def record(con, result: Allocation) -> str:
    """Store the allocation in ``allocations`` / ``allocation_domains`` (replacing the same allocation recorded
    before); returns its id. The files ``write_outputs`` wrote are recorded with it."""
    from codescale.laws import store

    allocation_id = result.allocation_id
    files = [Path(p) for p in result.written]
    allocation_file = next((str(p.resolve()) for p in files if p.name.endswith(".json")), None)
    spec_file = next((str(p.resolve()) for p in files if p.suffix in (".yaml", ".yml")), None)
    interval = result.gain_interval or (None, None)
    domains = list(dict.fromkeys([*result.languages, *result.per_language]))
    rows = [{"allocation_id": allocation_id, "domain": d, "share": result.proportions.get(d),
             "weight": result.weights.get(d), "predicted_loss": result.per_language.get(d),
             "uniform_predicted_loss": result.uniform_per_language.get(d)} for d in domains]  # fmt: skip
    with store.transaction(con):
        con.execute("DELETE FROM allocation_domains WHERE allocation_id = ?", [allocation_id])
        con.execute("DELETE FROM allocations WHERE allocation_id = ?", [allocation_id])
        store.insert_rows(con, "allocations", [{
            "allocation_id": allocation_id, "fit_id": result.fit_id, "law": result.model, "size": result.size,
            "tokens": result.tokens, "objective": result.objective, "uniform_objective": result.uniform_objective,
            "predicted_gain": result.gain, "predicted_low": interval[0], "predicted_high": interval[1],
            "draws": result.draws, "allocation_file": allocation_file, "spec_file": spec_file}])  # fmt: skip
        con.execute("UPDATE allocations SET created = now() WHERE allocation_id = ?", [allocation_id])
        store.insert_rows(con, "allocation_domains", rows)
    return allocation_id


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
