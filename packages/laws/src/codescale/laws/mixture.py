"""``codescale fit mixture``: fit any law of the family to mixture runs, store it, reload it, predict with it.

A fit is one law (:mod:`.mixlaws`, or the :mod:`.regression` baseline) over the runs a SQL predicate selects from
``final_loss`` (:mod:`.mixdata`). Every fitting unit -- an evaluated domain, the mixture's loss, or the shared κ --
is fitted by :mod:`.mixfit` with the same :class:`~codescale.laws.mixfit.FitOptions` and the same bootstrap
resamplings of runs. The stored fit (kind ``mixture``, form = the law) keeps:

- parameters ``<unit>.<name>`` with percentile intervals from the converged replicates, the replicates themselves
  (NaN where one did not converge) and, in ``settings.bootstrap_converged``, how many converged per unit;
- everything the law needs to predict again: reference scales N0/D0, training and evaluated domains, the per-domain
  laws and τ it was given, the reference domain of ``ye_exp``, the regression's hyperparameters, and the options;
- the in-sample predictions, the warnings, and ``unidentified``: every reason a unit's parameters are not pinned
  down (on a bound, outside its own interval), prefixed with the unit.

Losses with no variation in a unit are an error: no law can be fitted to them. A regression fit is reloaded by
refitting on the runs its provenance lists (deterministic; trees are not stored).

``ye_exp`` over runs at several (N, D): see :class:`NestedScales`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import duckdb
import numpy as np

from codescale.core.errors import CodescaleError
from codescale.laws import mixdata
from codescale.laws.fitstore import StoredFit, load_fit, save_fit
from codescale.laws.mixdata import MixtureData
from codescale.laws.mixfit import FitOptions, UnitFit, bootstrap_counts, fit_problem
from codescale.laws.mixlaws import (
    LAWS,
    Inputs,
    Law,
    YeExpLaw,
    law_from_settings,
    make_law,
)
from codescale.laws.regression import RegressionLaw
from codescale.laws.repetition import R_STAR

KIND = "mixture"


@dataclass
class MixtureFit:
    law: Any  # Law or RegressionLaw
    units: dict[str, UnitFit]
    options: FitOptions
    run_ids: list[str]
    warnings: list[str] = field(default_factory=list)
    nested: NestedScales | None = None
    fit_id: str | None = None

    @property
    def name(self) -> str:
        return self.law.name

    def targets(self) -> list[str]:
        return self.law.targets()

    @property
    def converged(self) -> bool:
        return all(u.converged for u in self.units.values())

    @property
    def unidentified(self) -> list[str]:
        return [f"{unit}: {reason}" for unit, u in self.units.items() for reason in u.unidentified]

    def params(self) -> dict[str, np.ndarray]:
        return {unit: u.theta for unit, u in self.units.items()}

    def predict(self, x: Inputs) -> dict[str, np.ndarray]:
        """{target: (R,)} predicted losses."""
        if isinstance(self.law, RegressionLaw):
            return self.law.predict(x)
        if self.nested is not None:
            return self.nested.predict(self, x)
        return self.law.predict(self.params(), x)

    def n_draws(self) -> int:
        if isinstance(self.law, RegressionLaw):
            return self.law.n_draws()
        counts = [len(u.samples) for u in self.units.values() if u.samples is not None]
        return min(counts) if counts and len(counts) == len(self.units) else 0

    def predict_draw(self, b: int, x: Inputs) -> dict[str, np.ndarray] | None:
        """Predictions of bootstrap replicate b, or None where one of its units did not converge."""
        if isinstance(self.law, RegressionLaw):
            return self.law.predict_draw(b, x)
        params = {}
        for unit, u in self.units.items():
            if u.samples is None:  # a unit without draws (n_draws() is then 0)
                return None
            params[unit] = u.samples[b]
        if any(not np.all(np.isfinite(v)) for v in params.values()):
            return None
        return self.law.predict(params, x)


@dataclass
class NestedScales:
    """Ye et al.'s nested extrapolation for ``ye_exp`` when the runs span several (N, D).

    Per training mixture m (runs with the same proportions) and evaluated domain i, a scale law
    L_mi(N, D) = E + A/N^α + B/D^β is fitted like the per-language law (the ``n_only`` form, on whichever of N or D
    varies, when only one does). To predict at a scale (N*, D*), every mixture's scale law gives its loss there,
    ``ye_exp`` is fitted to those losses (from the stored parameters and its least-squares starts) and predicts the
    requested mixtures. At the fitted scale itself the stored parameters are used directly.
    """

    mixtures: list[list[float]]  # proportions of each training mixture
    scale_laws: dict[str, list[dict[str, Any] | None]]  # target -> per mixture: {form, A, B, E, alpha, beta}
    cache: dict[tuple[float, float], dict[str, np.ndarray]] = field(default_factory=dict)

    def settings(self) -> dict:
        return {"mixtures": self.mixtures, "scale_laws": self.scale_laws}

    def losses_at(self, n: float, d: float) -> np.ndarray:
        from codescale.laws import forms

        out = np.full((len(self.mixtures), len(self.scale_laws)), np.nan)
        for j, laws in enumerate(self.scale_laws.values()):
            for m, law in enumerate(laws):
                if law is None:
                    continue
                if law["form"] == "d_only":
                    out[m, j] = forms.predict({**law, "B": 0.0, "beta": 0.0}, d, 1.0)
                else:
                    out[m, j] = forms.predict(law if law["form"] != "n_only" else {**law, "B": 0.0, "beta": 0.0}, n, d)
        return out

    def predict(self, fit: MixtureFit, x: Inputs) -> dict[str, np.ndarray]:
        law: YeExpLaw = fit.law
        out = {t: np.full(len(x.n), np.nan) for t in law.targets()}
        for scale in dict.fromkeys(zip(x.n.tolist(), x.d.tolist())):
            rows = (x.n == scale[0]) & (x.d == scale[1])
            sub = Inputs(x.n[rows], x.d[rows], x.p[rows], x.unique[rows])
            if np.allclose(scale, law.scale, rtol=1e-9):
                params = fit.params()
            else:
                params = self.cache.get(scale) or self._refit(fit, scale)
                self.cache[scale] = params
            for t, values in law.predict(params, sub).items():
                out[t][rows] = values
        return out

    def _refit(self, fit: MixtureFit, scale: tuple[float, float]) -> dict[str, np.ndarray]:
        law: YeExpLaw = fit.law
        losses = self.losses_at(*scale)
        known = np.isfinite(losses).all(axis=1)
        if known.sum() < 3 + len(law.free):
            raise CodescaleError(
                f"ye_exp cannot predict at N={scale[0]:.4g}, D={scale[1]:.4g}: only {int(known.sum())} training "
                "mixtures have a scale law (one needs at least 3 runs of the mixture at different N or D)",
                hint="train each mixture at several sizes or budgets, or predict at the fitted scale "
                     f"(N={law.scale[0]:.4g}, D={law.scale[1]:.4g})")  # fmt: skip
        losses = np.where(known[:, None], losses, np.nan)
        p = np.array(self.mixtures)
        r = len(p)
        data = MixtureData([f"m{i}" for i in range(r)], law.train_domains, law.eval_domains, np.full(r, scale[0]),
                           np.full(r, scale[1]), p, np.full(p.shape, np.inf), losses)  # fmt: skip
        params = {}
        for unit in law.units():
            problem = law.problem(unit, data)
            problem.starts = np.vstack([fit.units[unit].theta, problem.starts])
            params[unit] = fit_problem(problem, dataclasses.replace(fit.options, bootstrap=0)).theta
        return params


def _mixture_keys(p: np.ndarray) -> list[tuple]:
    return [tuple(np.round(row, 6)) for row in p]


def _nested_scales(data: MixtureData) -> NestedScales:
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):  # many small fits: a multi-threaded BLAS only waits on a busy machine
        return _fit_scale_laws(data)


def _fit_scale_laws(data: MixtureData) -> NestedScales:
    from codescale.laws.fit import FitSettings, fit_law

    keys = _mixture_keys(data.p)
    mixtures = list(dict.fromkeys(keys))
    scale_laws: dict[str, list[dict[str, Any] | None]] = {}
    for j, target in enumerate(data.eval_domains):
        per_mixture: list[dict[str, Any] | None] = []
        for key in mixtures:
            rows = np.array([k == key for k in keys]) & np.isfinite(data.loss[:, j])
            n, d, loss = data.n[rows], data.d[rows], data.loss[rows, j]
            vary_n, vary_d = len(np.unique(n)) > 1, len(np.unique(d)) > 1
            form = (
                "chinchilla"
                if vary_n and vary_d and len(loss) >= 6
                else "n_only"
                if vary_n
                else "d_only"
                if vary_d
                else None
            )
            if form is None or len(loss) < 3 or np.ptp(loss) <= 0:
                per_mixture.append(None)
                continue
            x = d if form == "d_only" else n
            try:
                fitted = fit_law(x, d if form == "chinchilla" else np.ones_like(x), loss,
                                 FitSettings(form="chinchilla" if form == "chinchilla" else "n_only", grid="coarse"))  # fmt: skip
            except CodescaleError:
                per_mixture.append(None)
                continue
            per_mixture.append({"form": form, **fitted.params})
        scale_laws[target] = per_mixture
    return NestedScales([list(map(float, k)) for k in mixtures], scale_laws)


def fit_mixture(data: MixtureData, law_name: str, options: FitOptions | None = None, *, domain_laws=None, tau=None,
                r_star: float = R_STAR, reference: tuple[float, float] | None = None) -> MixtureFit:  # fmt: skip
    """Fit one law of the family (or the regression baseline) to ``data``; ``reference`` = (N0, D0) for the laws
    that divide N and D by reference scales (default: the geometric means of the fitted runs)."""
    options = options or FitOptions()
    if law_name not in LAWS:
        raise CodescaleError(f"unknown mixture law {law_name!r}", hint=f"laws: {', '.join(LAWS)}")
    counts = bootstrap_counts(len(data), options.bootstrap, options.seed)
    if law_name == "regression":
        law = RegressionLaw.for_data(data, options.seed)
        for j, target in enumerate(law.targets()):
            _check_variation(data.loss[:, j][np.isfinite(data.loss[:, j])], target)
        warnings = law.fit(data, counts)
        return MixtureFit(law, {}, options, list(data.run_ids), warnings)
    nested = None
    fit_data = data
    if law_name == "ye_exp" and len(data.scales()) > 1:
        nested = _nested_scales(data)
        law = YeExpLaw.for_data(data)
        at_scale = (data.n == law.scale[0]) & (data.d == law.scale[1])
        fit_data = data.subset(at_scale)
    else:
        n0, d0 = reference or (None, None)
        law = make_law(law_name, data, domain_laws=domain_laws, tau=tau, r_star=r_star, n0=n0, d0=d0)
    units, warnings = {}, []
    for unit in law.units():
        observed = law.observed(unit, fit_data)
        _check_variation(observed[np.isfinite(observed)], unit)
        problem = law.problem(unit, fit_data)
        if len(problem.log_obs) <= problem.k:
            raise CodescaleError(f"{law_name}: {len(problem.log_obs)} observed losses for {problem.k} parameters "
                                 f"({unit}); need more runs", hint="add runs, or use a law with fewer parameters")  # fmt: skip
        unit_counts = None
        if counts is not None:
            unit_counts = (
                counts if fit_data is data else bootstrap_counts(len(fit_data), options.bootstrap, options.seed)
            )
        fitted = fit_problem(problem, options, unit_counts)
        units[unit] = fitted
        warnings += [f"{unit}: {w}" for w in fitted.warnings + problem.notes]
    fit = MixtureFit(law, units, options, list(data.run_ids), warnings, nested)
    return fit


def _check_variation(obs: np.ndarray, target: str) -> None:
    """The observed losses of one fitting unit must exist and vary."""
    if len(obs) == 0:
        raise CodescaleError(f"no run of the selection is evaluated on {target}",
                             hint="check the evaluated domains with `codescale sql \"SELECT DISTINCT language FROM final_loss\"`")  # fmt: skip
    if np.ptp(obs) <= 1e-12 * abs(obs[0]):
        raise CodescaleError(f"all {len(obs)} selected runs have the same loss on {target} ({obs[0]:.6g}): a law "
                             "cannot be fitted to losses with no variation",
                             hint="check the loss columns of the import, or exclude the domain")  # fmt: skip


# --- the store ----------------------------------------------------------------------------------------------------


def to_stored(fit: MixtureFit, data: MixtureData, where: str, extra: dict | None = None, batch: str = "") -> StoredFit:
    params, intervals, samples = {}, {}, {}
    for unit, u in fit.units.items():
        for j, name in enumerate(u.names):
            key = f"{unit}.{name}"
            params[key] = float(u.theta[j])
            if name in u.intervals:
                intervals[key] = u.intervals[name]
            if u.samples is not None:
                samples[key] = u.samples[:, j].tolist()
    predicted = fit.predict(Inputs.of(data))
    predictions: list[tuple[str, str | None, float, float]] = []
    for target, values in predicted.items():
        observed = data.observed(target)
        predictions += [(r, target, float(o), float(p)) for r, o, p in zip(data.run_ids, observed, values)
                        if np.isfinite(o)]  # fmt: skip
    settings = {"law": fit.name, **fit.law.settings(), "options": dataclasses.asdict(fit.options),
                "targets": fit.targets(),
                "bootstrap_converged": {unit: u.bootstrap_converged for unit, u in fit.units.items()},
                "objective_per_unit": {unit: u.objective for unit, u in fit.units.items()}, **(extra or {})}  # fmt: skip
    if fit.nested is not None:
        settings["nested"] = fit.nested.settings()
    objective = float(sum(u.objective for u in fit.units.values())) if fit.units else None
    return StoredFit(
        kind=KIND, form=fit.name, selection_sql=f"SELECT * FROM final_loss WHERE {where}", settings=settings,
        n_runs=len(data), objective=objective, converged=fit.converged, params=params, intervals=intervals,
        samples=samples, predictions=predictions, warnings=list(fit.warnings), unidentified=fit.unidentified,
        provenance={"view": "final_loss", "where": where, "batch": batch, "run_ids": list(data.run_ids)},
    )  # fmt: skip


def save(con: duckdb.DuckDBPyConnection, fit: MixtureFit, data: MixtureData, where: str, extra=None,
         batch: str = "") -> StoredFit:  # fmt: skip
    stored = to_stored(fit, data, where, extra, batch)
    fit.fit_id = save_fit(con, stored)
    return stored


def from_stored(con: duckdb.DuckDBPyConnection, stored: StoredFit) -> MixtureFit:
    """Rebuild a fitted law from its stored record (a regression fit is refitted on its runs)."""
    if stored.kind == "multilingual":
        raise CodescaleError(f"fit {stored.fit_id} was made by an older codescale (kind 'multilingual')",
                             hint="refit it with `codescale fit mixture --law ...`")  # fmt: skip
    if stored.kind != KIND:
        raise CodescaleError(f"fit {stored.fit_id} is a {stored.kind} fit, not a mixture law")
    settings = stored.settings
    options = FitOptions(**{k: v for k, v in settings.get("options", {}).items()
                            if k in {f.name for f in dataclasses.fields(FitOptions)}})  # fmt: skip
    if stored.form == "regression":
        data = load_runs_by_id(con, stored.provenance["run_ids"], settings["eval_domains"], settings["train_domains"])
        fit = fit_mixture(data, "regression", options)
        fit.fit_id = stored.fit_id
        return fit
    law: Law = law_from_settings(stored.form, settings)
    units = {}
    for unit in law.units():
        names = law.names(unit)
        theta = np.array([stored.params[f"{unit}.{n}"] for n in names])
        samples = None
        if all(f"{unit}.{n}" in stored.samples for n in names):
            samples = np.array([stored.samples[f"{unit}.{n}"] for n in names], dtype=float).T
        intervals = {n: stored.intervals[f"{unit}.{n}"] for n in names if f"{unit}.{n}" in stored.intervals}
        units[unit] = UnitFit(names, theta, float(settings.get("objective_per_unit", {}).get(unit, np.nan)),
                              stored.converged, samples, intervals)  # fmt: skip
    nested = None
    if "nested" in settings:
        nested = NestedScales(settings["nested"]["mixtures"], settings["nested"]["scale_laws"])
    return MixtureFit(law, units, options, list(stored.provenance.get("run_ids", [])), list(stored.warnings), nested,
                      stored.fit_id)  # fmt: skip


def load(con: duckdb.DuckDBPyConnection, fit_id: str) -> tuple[MixtureFit, StoredFit]:
    stored = load_fit(con, fit_id)
    return from_stored(con, stored), stored


def load_runs_by_id(con, run_ids: list[str], eval_domains=None, train_domains=None) -> MixtureData:
    con.execute("CREATE OR REPLACE TEMP TABLE _mixture_runs AS SELECT unnest(?::VARCHAR[]) AS run_id", [run_ids])
    try:
        return mixdata.load(con, "run_id IN (SELECT run_id FROM _mixture_runs)", eval_domains, train_domains)
    finally:
        con.execute("DROP TABLE IF EXISTS _mixture_runs")


def fit_and_store(con: duckdb.DuckDBPyConnection, law_name: str, where: str, options: FitOptions, *,
                  per_domain: str | None = None, synergy: str | None = None, r_star: float = R_STAR,
                  eval_domains: list[str] | None = None, reference: tuple[float, float] | None = None,
                  batch: str = "") -> tuple[MixtureFit, StoredFit]:  # fmt: skip
    """Select the runs, fit ``law_name`` to them and store the fit (what ``codescale fit mixture`` does)."""
    from codescale.laws.domainlaws import domain_inputs
    from codescale.laws.fitstore import ensure_tables
    from codescale.laws.mixlaws import NEEDS_DOMAIN_LAWS

    ensure_tables(con)
    data = mixdata.load(con, where, eval_domains)
    domain_laws = tau = None
    extra: dict[str, Any] = {"where": where}
    warnings: list[str] = []
    if law_name in NEEDS_DOMAIN_LAWS:
        domain_laws, tau, provenance, warnings = domain_inputs(con, per_domain, synergy)
        if not domain_laws:
            raise CodescaleError(f"the {law_name} law needs per-domain laws and the store has none",
                                 hint="run `codescale fit chinchilla --by language` on single-domain runs first, "
                                      "or pick a law that needs none (ye_exp, joint_additive, joint, regression)")  # fmt: skip
        extra.update(provenance)
    fit = fit_mixture(data, law_name, options, domain_laws=domain_laws, tau=tau, r_star=r_star, reference=reference)
    fit.warnings = warnings + fit.warnings
    return fit, save(con, fit, data, where, extra, batch)
