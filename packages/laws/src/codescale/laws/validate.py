"""``codescale validate-law``: refit a stored law without some runs and measure its error on them.

A law is judged by extrapolation, not in-sample fit. For a stored per-language or translation fit, the runs of its
selection are split into held-out runs — those matching ``--holdout`` (SQL over the fit's source view), by default
the largest-compute ``fraction`` of runs by C = 6·N·D — and the rest; the law is refitted on the rest with the fit's
own settings (no bootstrap) and predicts the held-out runs. For a multilingual fit the shared parameters are refitted
on the remaining mixture runs (the per-language laws and τ are kept). Reported: MAE, mean and max relative error
|L̂ − L| / L on the held-out runs. The result is stored as a fit of kind ``validation`` (parameters ``mae``,
``mean_rel``, ``max_rel``; predictions for the held-out runs), pointing at the validated fit in its provenance.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import duckdb
import numpy as np

from codescale.core.errors import CodescaleError
from codescale.laws.fit import FitSettings, fit_law
from codescale.laws.fitstore import StoredFit, group_arrays, load_fit, query, save_fit, select_groups


@dataclass
class Validation:
    fit_id: str
    validation_id: str
    scheme: str
    n_train: int
    rows: list[tuple[str, str, float, float, float]]  # run_id, label, compute, observed, predicted

    @property
    def errors(self) -> np.ndarray:
        return np.array([p - o for _, _, _, o, p in self.rows])

    @property
    def relative(self) -> np.ndarray:
        return np.abs(self.errors) / np.array([o for _, _, _, o, _ in self.rows])

    def render(self) -> str:
        lines = [f"validation of {self.fit_id} ({self.validation_id}): {self.scheme}; trained on {self.n_train} runs, "
                 f"{len(self.rows)} held out",
                 f"{'run':40s} {'label':14s} {'6ND':>10s} {'observed':>9s} {'predicted':>9s} {'rel err':>8s}"]  # fmt: skip
        for (run_id, label, compute, o, p), rel in zip(self.rows, self.relative):
            lines.append(f"{run_id[:40]:40s} {label[:14]:14s} {compute:10.3g} {o:9.4f} {p:9.4f} {100 * rel:7.2f}%")
        lines.append(f"MAE {np.abs(self.errors).mean():.4g}   mean relative error {100 * self.relative.mean():.3f}%"
                     f"   max relative error {100 * self.relative.max():.3f}%")  # fmt: skip
        return "\n".join(lines)


def _split(compute: np.ndarray, run_ids: list[str], held: set[str] | None, fraction: float) -> np.ndarray:
    if held is not None:
        return np.array([r in held for r in run_ids])
    if not 0 < fraction < 1:
        raise CodescaleError(f"--fraction must lie in (0, 1), got {fraction}")
    by_run: dict[str, float] = {}
    for r, c in zip(run_ids, compute):
        by_run[r] = max(by_run.get(r, 0.0), c)
    order = sorted(by_run, key=lambda r: -by_run[r])
    k = max(1, int(round(fraction * len(order))))
    held_runs = set(order[:k])
    return np.array([r in held_runs for r in run_ids])


def validate_fit(con: duckdb.DuckDBPyConnection, fit_id: str, holdout: str | None = None,
                 fraction: float = 0.2) -> Validation:  # fmt: skip
    fit = load_fit(con, fit_id)
    if fit.kind in ("chinchilla", "translation"):
        result = _validate_law(con, fit, holdout, fraction)
    elif fit.kind == "multilingual":
        result = _validate_multilingual(con, fit, holdout, fraction)
    else:
        raise CodescaleError(f"fit {fit_id} is a {fit.kind} fit; validate-law checks chinchilla, translation and "
                             "multilingual fits")  # fmt: skip
    return result


def _held_ids(con, view: str, where: str, holdout: str | None) -> set[str] | None:
    if holdout is None:
        return None
    rows = query(con, f"SELECT DISTINCT run_id FROM {view} WHERE ({where}) AND ({holdout})", what="--holdout")
    return {r[0] for r in rows}


def _validate_law(con, fit: StoredFit, holdout, fraction) -> Validation:
    prov = fit.provenance
    view, where = prov["view"], prov.get("selection_where", prov["where"])
    groups = select_groups(con, view, where, None, prov["label_expr"], prov["n_expr"], prov["d_expr"],
                           prov.get("mean_over_labels", False))  # fmt: skip
    run_ids, labels, n, d, loss = group_arrays(next(iter(groups.values())))
    compute = 6.0 * n * d
    mask = _split(compute, run_ids, _held_ids(con, view, where, holdout), fraction)
    if not mask.any() or mask.all():
        raise CodescaleError("the hold-out must keep some runs out and some in",
                             hint=f"it selected {int(mask.sum())} of {len(mask)} rows")  # fmt: skip
    known = {f.name for f in dataclasses.fields(FitSettings)}
    settings = FitSettings(**{k: v for k, v in fit.settings.items() if k in known})
    settings.bootstrap = 0
    scale = 1e9 if settings.units == "billions" else 1.0
    train = ~mask
    law = fit_law(n[train] / scale, d[train] / scale, loss[train], settings, [labels[i] for i in np.flatnonzero(train)])
    predicted = law.predict(n[mask] / scale, d[mask] / scale)
    rows = [(run_ids[i], labels[i].split(":", 1)[1], compute[i], loss[i], p)
            for i, p in zip(np.flatnonzero(mask), predicted)]  # fmt: skip
    scheme = f"held out: {holdout}" if holdout else f"held out the largest-compute {fraction:.0%} of runs (6ND)"
    return _store(con, fit, scheme, int(len(set(np.array(run_ids)[train]))), rows, law.warnings, holdout)


def _validate_multilingual(con, fit: StoredFit, holdout, fraction) -> Validation:
    from codescale.laws.multilingual import MixtureLaw, fit_mixture_law, law_from_fit, load_runs

    base = law_from_fit(fit)
    where = fit.provenance["where"]
    runs = load_runs(con, where, base.languages)
    compute = 6.0 * runs.n * runs.d * 1e18
    mask = _split(compute, runs.run_ids, _held_ids(con, "final_loss", where, holdout), fraction)
    if not mask.any() or mask.all():
        raise CodescaleError("the hold-out must keep some mixture runs out and some in")
    law, _, _, warnings = fit_mixture_law(MixtureLaw(base.model, base.languages, base.laws, base.tau), runs.subset(~mask))
    test = runs.subset(mask)
    predicted = law.predict_mixture(test.n, test.d, test.p)
    rows = [(r, "(mixture)", c, o, p)
            for r, c, o, p in zip(test.run_ids, compute[mask], test.mixture_loss(), predicted)]  # fmt: skip
    scheme = f"held out: {holdout}" if holdout else f"held out the largest-compute {fraction:.0%} of mixture runs"
    return _store(con, fit, scheme, int((~mask).sum()), rows, warnings, holdout)


def _store(con, fit: StoredFit, scheme: str, n_train: int, rows, warnings, holdout) -> Validation:
    result = Validation(fit.fit_id or "", "", scheme, n_train, rows)
    rel = result.relative
    stored = StoredFit(
        kind="validation", form=fit.form, selection_sql=fit.selection_sql,
        settings={"validated_fit": fit.fit_id, "scheme": scheme, "holdout": holdout},
        n_runs=n_train + len(rows), objective=None, converged=True,
        params={"mae": float(np.abs(result.errors).mean()), "mean_rel": float(rel.mean()), "max_rel": float(rel.max())},
        predictions=[(r, label, float(o), float(p)) for r, label, _, o, p in rows], warnings=list(warnings),
        group_key=fit.group_key, group_value=fit.group_value,
        provenance={"validated_fit": fit.fit_id, "held_out": [r[0] for r in rows]},
    )  # fmt: skip
    result.validation_id = save_fit(con, stored)
    return result
