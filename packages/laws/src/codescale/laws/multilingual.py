"""Proportion-dependent multilingual laws: the paper's Eqs. 6–7 and two alternatives, compared by held-out error.

Inputs: a per-language law L_k(N, D) = E_k + A_k·N^−α_k + B_k·D^−β_k for every language (stored chinchilla fits,
converted to N, D in billions), a transfer matrix τ_ij (the synergy fit's relative gains g_ij: target i, auxiliary j)
and mixture runs (``final_loss`` rows of runs with several languages; proportions p over the run's languages).

``paper`` (Eqs. 6–7). One loss per run, the mixture's loss L(N, D; p), which we take to be the proportion-weighted
validation loss Σ_k p_k·L_k over the evaluated languages (renormalised over those evaluated)::

    L(N, D; p) = A·N^−α_N(p) + B·D_x^−α_D(p) + L∞(p)
    α_N(p) = Σ_k p_k α_k,   α_D(p) = Σ_k p_k β_k,   L∞(p) = Σ_k p_k E_k        (from the per-language fits)
    D_x = D·(1 + γ·Σ_{i≠j} p_i p_j τ_ij)

The sum runs over **ordered** pairs (i, j), i ≠ j, so an asymmetric τ counts both directions; over unordered pairs
with a symmetrised τ it is the same sum halved, which only rescales γ. Fitted: A, B, γ (γ bounded so that D_x > 0).

``effective_data`` (ours). Each language keeps its own law and sees an effective amount of data::

    L_i(N, D, p) = E_i + A_i·N^−α_i + B_i·(D·(p_i + κ·Σ_{j≠i} τ_ij p_j))^−β_i

``synergy_factor`` (ours). Each language's own law at its own tokens, scaled by a pairwise transfer factor::

    L_i(N, D, p) = (E_i + A_i·N^−α_i + B_i·(D·p_i)^−β_i) · (1 − κ·Σ_{j≠i} τ_ij·4 p_i p_j / (p_i + p_j))

(4 p_i p_j/(p_i + p_j) is 1 for a 50:50 pair and vanishes with either share, so τ_ij is exactly the 50:50 relative
gain when κ = 1.) Both alternatives fit one scalar κ and predict every language's loss, which allocation needs.

Fitting: summed Huber loss (δ = 1e-3) on log residuals — of run losses for ``paper``, of per-language losses for the
alternatives — minimised by L-BFGS-B from a grid of starts, best objective wins. Comparison (:func:`compare_models`):
every model is refitted without the held-out runs (a ``--holdout`` predicate, or 5-fold cross-validation over runs)
and scored on the held-out runs' mixture loss Σ p_k L_k (the one quantity all three predict): MAE, mean and max
relative error. The lowest mean relative error wins.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field

import duckdb
import numpy as np
from scipy.optimize import minimize, minimize_scalar

from codescale.core.errors import CodescaleError
from codescale.laws import forms
from codescale.laws.fitstore import StoredFit, fits_in_batch, latest_fit, load_fit, query, save_fit
from codescale.laws.synergy import transfer_matrix

MODELS = ("paper", "effective_data", "synergy_factor")
SHARED_PARAMS = {"paper": ("A", "B", "gamma"), "effective_data": ("kappa",), "synergy_factor": ("kappa",)}
LAW_KEYS = ("A", "B", "E", "alpha", "beta")
DELTA = 1e-3


@dataclass
class MixtureRuns:
    """Mixture runs as arrays over a fixed language order; losses are NaN where a language was not evaluated."""

    run_ids: list[str]
    languages: list[str]
    n: np.ndarray  # (R,) billions
    d: np.ndarray  # (R,) billions
    p: np.ndarray  # (R, K)
    loss: np.ndarray  # (R, K)

    def subset(self, mask: np.ndarray) -> MixtureRuns:
        return MixtureRuns([r for r, m in zip(self.run_ids, mask) if m], self.languages, self.n[mask], self.d[mask],
                           self.p[mask], self.loss[mask])  # fmt: skip

    def mixture_loss(self) -> np.ndarray:
        """Σ p_k L_k over evaluated languages, renormalised over them."""
        ok = np.isfinite(self.loss) & (self.p > 0)
        w = np.where(ok, self.p, 0.0)
        return (w * np.where(ok, self.loss, 0.0)).sum(axis=1) / w.sum(axis=1)


@dataclass
class MixtureLaw:
    """A fitted (or to-be-fitted) multilingual law: model name, per-language laws, τ, shared parameters."""

    model: str
    languages: list[str]
    laws: dict[str, dict[str, float]]  # billions
    tau: dict[str, dict[str, float]]
    shared: dict[str, float] = field(default_factory=dict)

    def law_arrays(self, laws: dict[str, dict[str, float]] | None = None):
        laws = laws or self.laws
        return {k: np.array([laws[lang][k] for lang in self.languages]) for k in LAW_KEYS}

    def tau_matrix(self) -> np.ndarray:
        k = len(self.languages)
        t = np.zeros((k, k))
        for i, a in enumerate(self.languages):
            for j, b in enumerate(self.languages):
                if i != j:
                    t[i, j] = self.tau.get(a, {}).get(b, 0.0)
        return t

    def predict_languages(self, n, d, p, shared: dict[str, float] | None = None, laws=None) -> np.ndarray:
        """(R, K) per-language loss (NaN where p_i = 0); the alternatives only."""
        if self.model == "paper":
            raise CodescaleError("the paper's law predicts the mixture's loss, not each language's",
                                 hint="use --model effective_data or synergy_factor for per-language predictions")  # fmt: skip
        shared = shared or self.shared
        la = self.law_arrays(laws)
        n, d, p = np.asarray(n, float)[:, None], np.asarray(d, float)[:, None], np.asarray(p, float)
        tau = self.tau_matrix()
        kappa = shared["kappa"]
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.model == "effective_data":
                d_eff = d * np.maximum(p + kappa * (p @ tau.T), 1e-12)
                out = la["E"] + la["A"] * n ** -la["alpha"] + la["B"] * d_eff ** -la["beta"]
            else:
                own = la["E"] + la["A"] * n ** -la["alpha"] + la["B"] * (d * p) ** -la["beta"]
                s = 4 * p[:, :, None] * p[:, None, :] / (p[:, :, None] + p[:, None, :])
                s = np.where(np.isfinite(s), s, 0.0)
                factor = 1 - kappa * np.einsum("ij,rij->ri", tau, s)
                out = own * np.maximum(factor, 0.05)
        return np.where(p > 0, out, np.nan)

    def predict_mixture(self, n, d, p, shared: dict[str, float] | None = None, laws=None) -> np.ndarray:
        """(R,) the mixture loss Σ p_k L_k."""
        shared = shared or self.shared
        p = np.asarray(p, float)
        if self.model != "paper":
            per = self.predict_languages(n, d, p, shared, laws)
            return np.nansum(np.where(p > 0, p * per, 0.0), axis=1) / p.sum(axis=1)
        la = self.law_arrays(laws)
        pn = p / p.sum(axis=1, keepdims=True)
        a_n, a_d, e_inf = pn @ la["alpha"], pn @ la["beta"], pn @ la["E"]
        transfer = np.einsum("ri,ij,rj->r", pn, self.tau_matrix(), pn)  # ordered pairs i != j (tau diagonal is 0)
        d_x = np.asarray(d, float) * np.maximum(1 + shared["gamma"] * transfer, 1e-12)
        return shared["A"] * np.asarray(n, float) ** -a_n + shared["B"] * d_x ** -a_d + e_inf


def _huber(r: np.ndarray) -> float:
    a = np.abs(r)
    return float(np.where(a <= DELTA, 0.5 * r * r, DELTA * (a - 0.5 * DELTA)).sum())


def fit_mixture_law(law: MixtureLaw, runs: MixtureRuns) -> tuple[MixtureLaw, float, bool, list[str]]:
    """Fit the shared parameters on ``runs``; returns (law, objective, converged, warnings)."""
    warnings: list[str] = []
    if law.model == "paper":
        target = np.log(runs.mixture_loss())
        pn = runs.p / runs.p.sum(axis=1, keepdims=True)
        transfer = np.einsum("ri,ij,rj->r", pn, law.tau_matrix(), pn)
        gamma_lo = -0.99 / transfer.max() if transfer.max() > 0 else -10.0

        def objective(x):
            pred = law.predict_mixture(runs.n, runs.d, runs.p, {"A": np.exp(x[0]), "B": np.exp(x[1]), "gamma": x[2]})
            r = target - np.log(np.maximum(pred, 1e-300))
            return _huber(r) if np.all(np.isfinite(r)) else 1e10

        starts = list(itertools.product((-3.0, -1.0, 1.0), (-3.0, -1.0, 1.0, 3.0), (0.0, 1.0, 5.0)))
        bounds = [(-30, 30), (-30, 30), (max(gamma_lo, -50), 100)]
        names = ("A", "B", "gamma")
        if len(runs.run_ids) <= 3:
            raise CodescaleError(f"too few mixture runs for the paper's law: {len(runs.run_ids)} for 3 parameters",
                                 hint="add mixture runs (several N, D and proportions)")  # fmt: skip
    else:
        obs = runs.loss
        ok = np.isfinite(obs) & (runs.p > 0)
        if ok.sum() < 2:
            raise CodescaleError("too few per-language mixture losses to fit kappa", hint="add mixture runs")

        def objective(x):
            pred = law.predict_languages(runs.n, runs.d, runs.p, {"kappa": x[0]})
            r = np.log(obs[ok]) - np.log(np.maximum(pred[ok], 1e-300))
            return _huber(r) if np.all(np.isfinite(r)) else 1e10

        return _fit_kappa(law, objective, warnings)
    # Screen the grid of starts (objective only), then run L-BFGS-B from the best few.
    screened = sorted(starts, key=lambda x0: objective(np.array(x0, float)))[:3]
    best = None
    for x0 in screened:
        res = minimize(objective, np.array(x0, float), method="L-BFGS-B", bounds=bounds,
                       options={"ftol": 1e-15, "gtol": 1e-12, "maxiter": 2000})  # fmt: skip
        if best is None or res.fun < best.fun:
            best = res
    assert best is not None
    x = best.x
    shared = {"A": float(np.exp(x[0])), "B": float(np.exp(x[1])), "gamma": float(x[2])}
    for i, (lo, hi) in enumerate(bounds):
        if np.isclose(x[i], lo) or np.isclose(x[i], hi):
            warnings.append(f"{names[i]} sits on its bound ({x[i]:.3g}); the data do not pin it down")
    # L-BFGS-B's line search can stop "abnormally" at the precision limit; a vanishing gradient is still a minimum.
    converged = bool(best.success) or float(np.max(np.abs(best.jac))) <= 1e-6
    if not converged:
        warnings.append(f"the optimiser did not converge: {best.message}")
    fitted = MixtureLaw(law.model, law.languages, law.laws, law.tau, shared)
    return fitted, float(best.fun), converged, warnings


def _fit_kappa(law: MixtureLaw, objective, warnings: list[str]):
    """One scalar: scan a grid, then bounded Brent in the bracket around the best grid point."""
    grid = np.concatenate([np.linspace(-2, 5, 71), np.linspace(5.5, 50, 30)])
    values = np.array([objective(np.array([k])) for k in grid])
    i = int(np.argmin(values))
    lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, len(grid) - 1)]
    res = minimize_scalar(lambda k: objective(np.array([k])), bounds=(lo, hi), method="bounded",
                          options={"xatol": 1e-10})  # fmt: skip
    kappa, value = (float(res.x), float(res.fun)) if res.fun <= values[i] else (float(grid[i]), float(values[i]))
    if i in (0, len(grid) - 1):
        warnings.append(f"kappa sits at the edge of its range ({kappa:.3g}); the data do not pin it down")
    return MixtureLaw(law.model, law.languages, law.laws, law.tau, {"kappa": kappa}), value, bool(res.success), warnings


# --- loading inputs from the store ----------------------------------------------------------------------------------


def per_language_fits(con: duckdb.DuckDBPyConnection, spec: str | None) -> dict[str, StoredFit]:
    """Per-language chinchilla fits: a batch id, a comma list of fit ids, or (None) the newest per language."""
    if spec:
        ids = fits_in_batch(con, spec) or [s.strip() for s in spec.split(",") if s.strip()]
    else:
        langs = [r[0] for r in con.execute(
            "SELECT DISTINCT group_value FROM fits WHERE kind = 'chinchilla' AND group_key = 'language'").fetchall()]  # fmt: skip
        ids = [latest_fit(con, "chinchilla", lang) for lang in langs]
    fits = {}
    for fit_id in ids:
        fit = load_fit(con, fit_id)
        if fit.kind != "chinchilla" or fit.group_key != "language":
            raise CodescaleError(f"fit {fit_id} is not a per-language law (kind {fit.kind}, by {fit.group_key})")
        fits[fit.group_value] = fit
    if not fits:
        raise CodescaleError("no per-language fits in the store", hint="run `codescale fit chinchilla --by language`")
    return fits


def law_in_billions(fit: StoredFit) -> dict[str, float]:
    return forms.convert_params({k: fit.params[k] for k in LAW_KEYS}, fit.settings.get("units", "raw"), "billions")


def load_runs(con: duckdb.DuckDBPyConnection, where: str, languages: list[str]) -> MixtureRuns:
    rows = query(con, "SELECT run_id, any_value(coalesce(params_non_embedding, params)), any_value(tokens), "
                 "any_value(proportions), map_from_entries(list(struct_pack(k := language, v := loss))) "
                 f"FROM final_loss WHERE ({where or 'true'}) GROUP BY run_id ORDER BY run_id")  # fmt: skip
    if not rows:
        raise CodescaleError(f"empty selection: no mixture runs match --where {where!r}",
                             hint="mixture runs have n_languages > 1; check `codescale sql`")  # fmt: skip
    run_ids, n, d, p, loss = [], [], [], [], []
    for run_id, params, tokens, proportions, losses in rows:
        props = json.loads(proportions) if isinstance(proportions, str) else (proportions or {})
        missing = [lang for lang in props if lang not in languages]
        if missing:
            raise CodescaleError(f"run {run_id} trains on {', '.join(missing)}, which has no per-language fit",
                                 hint="fit those languages first, or exclude the run with --where")  # fmt: skip
        values = [losses.get(lang) for lang in languages]
        if any(v is not None and not np.isfinite(v) for v in values):
            raise CodescaleError(f"run {run_id} has a NaN or infinite loss", hint="exclude it with --where")
        run_ids.append(run_id)
        n.append(params / 1e9)
        d.append(tokens / 1e9)
        p.append([float(props.get(lang, 0.0)) for lang in languages])
        loss.append([np.nan if v is None else v for v in values])
    return MixtureRuns(run_ids, languages, np.array(n), np.array(d), np.array(p), np.array(loss, dtype=float))


def _inputs(con, where, per_language, synergy_id):
    fits = per_language_fits(con, per_language)
    languages = sorted(fits)
    laws = {lang: law_in_billions(fit) for lang, fit in fits.items()}
    synergy_id = synergy_id or latest_fit(con, "synergy")
    if synergy_id is None:
        raise CodescaleError("no synergy fit in the store", hint="run `codescale fit synergy` first")
    tau = transfer_matrix(load_fit(con, synergy_id))
    runs = load_runs(con, where, languages)
    return fits, laws, tau, synergy_id, runs


def fit_and_store(con, model: str, where: str, per_language: str | None, synergy_id: str | None,
                  batch: str = "") -> StoredFit:  # fmt: skip
    if model not in MODELS:
        raise CodescaleError(f"unknown multilingual model {model!r}", hint=f"use one of {', '.join(MODELS)}")
    fits, laws, tau, synergy_id, runs = _inputs(con, where, per_language, synergy_id)
    law, objective, converged, warnings = fit_mixture_law(MixtureLaw(model, sorted(laws), laws, tau), runs)
    return store_mixture_law(con, law, objective, converged, warnings, runs, fits, synergy_id, where, batch)


def store_mixture_law(con, law: MixtureLaw, objective, converged, warnings, runs, fits, synergy_id, where,
                      batch="") -> StoredFit:  # fmt: skip
    params = dict(law.shared)
    for lang, values in law.laws.items():
        for k, v in values.items():
            params[f"{lang}.{k}"] = v
    for target, row in law.tau.items():
        for aux, v in row.items():
            params[f"tau:{target}:{aux}"] = v
    samples = {}
    for lang, fit in fits.items():  # per-language bootstrap draws, for uncertainty downstream
        if fit.samples:
            conv = forms.convert_params
            units = fit.settings.get("units", "raw")
            draws = [conv({k: fit.samples[k][i] for k in LAW_KEYS}, units, "billions")
                     for i in range(len(fit.samples["A"]))]  # fmt: skip
            for k in LAW_KEYS:
                samples[f"{lang}.{k}"] = [dr[k] for dr in draws]
    predicted = law.predict_mixture(runs.n, runs.d, runs.p)
    stored = StoredFit(
        kind="multilingual", form=law.model, selection_sql=f"SELECT * FROM final_loss WHERE {where}",
        settings={"model": law.model, "units": "billions", "languages": law.languages, "delta": DELTA,
                  "target": "mixture loss = sum_k p_k L_k" if law.model == "paper" else "per-language loss",
                  "transfer_sum": "ordered pairs i != j", "per_language_fits": {k: f.fit_id for k, f in fits.items()},
                  "synergy_fit": synergy_id},
        n_runs=len(runs.run_ids), objective=objective, converged=converged, params=params, samples=samples,
        predictions=[(r, "(mixture)", float(o), float(p)) for r, o, p in zip(runs.run_ids, runs.mixture_loss(), predicted)],
        warnings=warnings, provenance={"view": "final_loss", "where": where, "batch": batch, "run_ids": runs.run_ids},
    )  # fmt: skip
    save_fit(con, stored)
    return stored


def law_from_fit(fit: StoredFit) -> MixtureLaw:
    """Rebuild a MixtureLaw from a stored multilingual fit."""
    if fit.kind != "multilingual":
        raise CodescaleError(f"fit {fit.fit_id} is a {fit.kind} fit, not a multilingual law")
    languages = list(fit.settings["languages"])
    laws = {lang: {k: fit.params[f"{lang}.{k}"] for k in LAW_KEYS} for lang in languages}
    tau: dict[str, dict[str, float]] = {}
    for name, v in fit.params.items():
        if name.startswith("tau:"):
            _, t, a = name.split(":")
            tau.setdefault(t, {})[a] = v
    shared = {k: fit.params[k] for k in SHARED_PARAMS[fit.form]}
    return MixtureLaw(fit.form, languages, laws, tau, shared)


# --- comparison ------------------------------------------------------------------------------------------------------


@dataclass
class Comparison:
    rows: list[dict]
    winner: str
    scheme: str

    def render(self) -> str:
        lines = [f"held-out comparison ({self.scheme}); error on the mixture loss sum_k p_k L_k",
                 f"{'model':16s} {'n':>4s} {'MAE':>9s} {'mean rel':>9s} {'max rel':>9s}  fitted"]  # fmt: skip
        for r in self.rows:
            fitted = ", ".join(f"{k}={v:.4g}" for k, v in r["shared"].items())
            lines.append(f"{r['model']:16s} {r['n']:4d} {r['mae']:9.4g} {100 * r['mean_rel']:8.3f}% "
                         f"{100 * r['max_rel']:8.3f}%  {fitted}")  # fmt: skip
        lines.append(f"winner: {self.winner} (lowest mean relative error on held-out runs)")
        return "\n".join(lines)


def compare_models(con, where: str, per_language: str | None, synergy_id: str | None, holdout: str | None,
                   seed: int = 0, folds: int = 5) -> Comparison:  # fmt: skip
    fits, laws, tau, synergy_id, runs = _inputs(con, where, per_language, synergy_id)
    languages = sorted(laws)
    if holdout:
        held = {r[0] for r in query(con, f"SELECT DISTINCT run_id FROM final_loss WHERE ({where}) AND ({holdout})",
                                    what="--holdout")}  # fmt: skip
        masks = [np.array([r in held for r in runs.run_ids])]
        if not masks[0].any() or masks[0].all():
            raise CodescaleError("--holdout must select some but not all of the mixture runs")
        scheme = f"held out: {holdout}"
    else:
        r = len(runs.run_ids)
        if r < folds:
            raise CodescaleError(f"only {r} mixture runs: too few for {folds}-fold cross-validation",
                                 hint="pass --holdout or add mixture runs")  # fmt: skip
        order = np.random.default_rng(seed).permutation(r)
        masks = [np.isin(np.arange(r), order[i::folds]) for i in range(folds)]
        scheme = f"{folds}-fold cross-validation over {r} runs"
    rows = []
    for model in MODELS:
        errors, observed = [], []
        for mask in masks:
            law, *_ = fit_mixture_law(MixtureLaw(model, languages, laws, tau), runs.subset(~mask))
            test = runs.subset(mask)
            errors.append(law.predict_mixture(test.n, test.d, test.p) - test.mixture_loss())
            observed.append(test.mixture_loss())
        err, obs = np.concatenate(errors), np.concatenate(observed)
        full, *_ = fit_mixture_law(MixtureLaw(model, languages, laws, tau), runs)
        rel = np.abs(err) / obs
        rows.append({"model": model, "n": len(err), "mae": float(np.abs(err).mean()), "mean_rel": float(rel.mean()),
                     "max_rel": float(rel.max()), "shared": full.shared})  # fmt: skip
    winner = min(rows, key=lambda r: r["mean_rel"])["model"]
    stored = StoredFit(
        kind="multilingual_comparison", form="held-out comparison", selection_sql=f"SELECT * FROM final_loss WHERE {where}",
        settings={"scheme": scheme, "per_language_fits": {k: f.fit_id for k, f in fits.items()},
                  "synergy_fit": synergy_id, "winner": winner},
        n_runs=len(runs.run_ids), objective=None, converged=True,
        params={f"{r['model']}.{m}": r[m] for r in rows for m in ("mae", "mean_rel", "max_rel")},
        provenance={"where": where, "holdout": holdout, "run_ids": runs.run_ids},
    )  # fmt: skip
    save_fit(con, stored)
    return Comparison(rows, winner, scheme)
