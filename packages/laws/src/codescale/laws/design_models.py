"""Stored fits as design problems (:class:`~codescale.laws.design.DesignModel`), and the answers they can be asked.

Two kinds of fit can be designed for:

- **Per-language laws** (``codescale fit chinchilla``, one fit or a batch): θ stacks each language's coordinates
  (log A, α, log B, β, log E -- fewer for the shared-exponent and N-only forms) in the fit's units. A run with
  proportions p measures language ℓ when p_ℓ > 0 and it is evaluated on ℓ; the law sees D·p_ℓ tokens of ℓ (so a
  multilingual point is the allocation's view, effective data without transfer). Only single-language runs are
  *proposed* for these laws, since a mixture run's loss is not what a per-language law models.
- **Parametric mixture laws** (``codescale fit mixture``): θ stacks every fitting unit's parameters as stored
  (``<unit>.<name>``); the law's own Jacobian (or forward differences) gives the observation rows. The per-domain laws
  and τ a mixture law builds on are treated as known. ``regression`` has no parameters and ``ye_exp`` fitted over
  several scales refits at every scale it predicts, so neither can be designed for.

The existing design is the runs the fit was made from, read back from the store with the fit's own selection.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np

from codescale.core.errors import CodescaleError
from codescale.laws import forms
from codescale.laws.design import Points, Target
from codescale.laws.fitstore import StoredFit, query

COORDINATES = {"a": "log_A", "alpha": "alpha", "b": "log_B", "beta": "beta", "e": "log_E"}
PRIOR_SD = {"a": 30.0, "alpha": 2.0, "b": 30.0, "beta": 2.0, "e": 3.0}
NATURAL = {"A": ("a", True), "B": ("b", True), "E": ("e", True), "alpha": ("alpha", False), "beta": ("beta", False)}
ALIASES = {"l_inf": "E", "linf": "E", "l∞": "E", "e": "E", "alpha_n": "alpha", "alpha_d": "beta", "a": "A", "b": "B"}


def _sigma(groups: list[tuple[list[float], int]]) -> float:
    """Noise of a log loss from in-sample log residuals, one group per fitting unit with its parameter count k.

    The fits minimise a Huber loss whose threshold (1e-3) is usually below the noise, which makes them nearly
    least-absolute-deviation fits: they pass through about k runs exactly and let outliers be. So the k smallest
    residuals of each unit are left out, and σ is the normal-consistent median absolute residual of the rest
    (1.4826 · median |r|), which the outliers a robust fit leaves do not inflate."""
    kept: list[float] = []
    for residuals, k in groups:
        r = np.sort(np.abs([x for x in residuals if np.isfinite(x)]))
        kept += list(r[min(k, max(0, len(r) - 1)) :])
    return float(1.4826 * np.median(kept)) if kept else 0.0


def _residuals(fit: StoredFit, target: str | None = None) -> list[float]:
    return [float(np.log(o / p)) for _, lang, o, p in fit.predictions
            if o is not None and p is not None and o > 0 and p > 0 and (target is None or lang == target)]  # fmt: skip


@dataclass
class _Block:
    language: str
    form: forms.Form
    scale: float  # the fit's unit: N and D are divided by it
    start: int


class PerLanguageModel:
    """Per-language Chinchilla laws, one block of θ per language."""

    def __init__(self, fits: dict[str, StoredFit]):
        self.fits = fits
        self.domains = sorted(fits)
        self.targets = list(self.domains)
        n_columns = {f.settings.get("n_column", "params_non_embedding") for f in fits.values()}
        if len(n_columns) > 1:
            raise CodescaleError("the per-language fits count N differently (params vs params_non_embedding)",
                                 hint="refit them with the same --n-column")  # fmt: skip
        self.n_column = n_columns.pop()
        self.blocks: list[_Block] = []
        names: list[str] = []
        theta: list[float] = []
        prior: list[float] = []
        for lang in self.domains:
            fit = fits[lang]
            form = forms.get_form(fit.form)
            self.blocks.append(_Block(lang, form, forms.UNITS[fit.settings.get("units", "raw")], len(names)))
            coords = _coordinates(fit.params)
            names += [f"{lang}.{COORDINATES[c]}" for c in form.params]
            theta += [coords[c] for c in form.params]
            prior += [PRIOR_SD[c] for c in form.params]
        self.names, self.theta, self.prior_sd = names, np.array(theta), np.array(prior)
        self.draws = self._draws()
        self.sigma = _sigma([(_residuals(fits[b.language]), b.form.k) for b in self.blocks])

    def _draws(self) -> np.ndarray:
        counts = [len(f.samples.get("A", [])) for f in self.fits.values()]
        b = min(counts) if counts else 0
        rows = np.full((b, len(self.theta)), np.nan)
        for block in self.blocks:
            samples = self.fits[block.language].samples
            for i in range(b):
                natural: dict[str, float] = {k: samples[k][i] for k in ("A", "B", "E", "alpha", "beta") if k in samples}
                positive = ("A", "B", "E")  # taken as logs
                if len(natural) < 5 or not all(
                    np.isfinite(v) and (k not in positive or v > 0) for k, v in natural.items()
                ):
                    continue
                coords = _coordinates(natural)
                rows[i, block.start : block.start + block.form.k] = [coords[c] for c in block.form.params]
        return rows[np.all(np.isfinite(rows), axis=1)]

    def predict(self, theta: np.ndarray, points: Points) -> tuple[np.ndarray, np.ndarray]:
        theta = np.atleast_2d(theta)
        s, r, v = len(theta), len(points), len(self.domains)
        log_l = np.full((s, r, v), np.nan)
        jac = np.zeros((s, r, v, len(self.theta)))
        for j, block in enumerate(self.blocks):
            share = points.p[:, j]
            rows = np.flatnonzero(share > 0)
            if rows.size == 0:
                continue
            log_n = np.log(points.n[rows] / block.scale)
            log_d = np.log(points.d[rows] * share[rows] / block.scale)
            full = block.form.full(theta[:, block.start : block.start + block.form.k])
            a, alpha, b, beta, e = (full[:, i : i + 1] for i in range(5))
            u = np.stack([a - alpha * log_n, b - beta * log_d, np.broadcast_to(e, (s, rows.size))], axis=-1)
            top = u.max(axis=-1, keepdims=True)
            w = np.exp(u - top)
            total = w.sum(axis=-1, keepdims=True)
            log_l[:, rows, j] = (top + np.log(total))[..., 0]
            w = w / total
            d_full = np.stack([w[..., 0], -w[..., 0] * log_n, w[..., 1], -w[..., 1] * log_d, w[..., 2]], axis=-1)
            jac[:, rows, j, block.start : block.start + block.form.k] = d_full @ block.form.expand
        return log_l, jac

    def existing(self, con: duckdb.DuckDBPyConnection) -> tuple[Points, list[str]]:
        """The runs each fit was made from: (N, D) of the fit's own selection."""
        parts, run_ids = [], []
        for j, lang in enumerate(self.domains):
            prov = self.fits[lang].provenance
            where = prov.get("selection_where") or prov.get("where") or "true"
            rows = query(con, f"SELECT run_id, {prov.get('n_expr', 'params_non_embedding')}, "
                              f"{prov.get('d_expr', 'tokens')} FROM {prov.get('view', 'final_loss')} WHERE {where}")  # fmt: skip
            rows = [r for r in rows if r[1] and r[2]]
            p = np.zeros((len(rows), len(self.domains)))
            p[:, j] = 1.0
            parts.append(Points(np.array([float(r[1]) for r in rows]), np.array([float(r[2]) for r in rows]), p,
                                p > 0))  # fmt: skip
            run_ids += [r[0] for r in rows]
        return Points.concat(parts, len(self.domains), len(self.targets)), run_ids


def _coordinates(natural: dict[str, float]) -> dict[str, float]:
    with np.errstate(divide="ignore"):
        return {"a": float(np.log(natural["A"])), "alpha": float(natural["alpha"]),
                "b": float(np.log(natural["B"])) if "B" in natural else -200.0, "beta": float(natural.get("beta", 0.0)),
                "e": float(np.log(natural["E"]))}  # fmt: skip


class MixtureModel:
    """A parametric mixture law: θ = every fitting unit's parameters."""

    def __init__(self, con: duckdb.DuckDBPyConnection, stored: StoredFit):
        from codescale.laws import mixture
        from codescale.laws.mixlaws import Law

        if stored.form == "regression":
            raise CodescaleError(f"fit {stored.fit_id} is the regression baseline: it has no parameters whose "
                                 "uncertainty runs could shrink", hint="propose runs for a parametric mixture law")  # fmt: skip
        fit = mixture.from_stored(con, stored)
        if fit.nested is not None:
            raise CodescaleError(f"fit {stored.fit_id} is ye_exp over several scales: its nested extrapolation refits "
                                 "at every scale it predicts, so it has no fixed Jacobian to design with",
                                 hint="propose with a joint_additive or joint fit of the same runs")  # fmt: skip
        self.fit, self.stored, self.law = fit, stored, fit.law
        self.has_jacobian = type(self.law).jacobian is not Law.jacobian
        self.domains = list(self.law.train_domains)
        self.targets = list(self.law.targets())
        self.units = list(self.law.units())
        self.slices, names, start = {}, [], 0
        for unit in self.units:
            k = len(self.law.names(unit))
            self.slices[unit] = slice(start, start + k)
            names += [f"{unit}.{n}" for n in self.law.names(unit)]
            start += k
        self.names = names
        self.theta = np.concatenate([fit.units[u].theta for u in self.units])
        samples = [s for s in (fit.units[u].samples for u in self.units) if s is not None]
        if len(samples) == len(self.units):
            rows = np.hstack(samples)  # replicate b of every unit is one coherent draw
            self.draws = rows[np.all(np.isfinite(rows), axis=1)]
        else:
            self.draws = np.zeros((0, len(self.theta)))
        self.data = mixture.load_runs_by_id(con, fit.run_ids, stored.settings.get("eval_domains"), self.domains)
        prior = []
        for unit in self.units:
            lower, upper = self.law.bounds(unit, self.data)
            width = np.where(np.isfinite(upper - lower), (upper - lower) / 2, 60.0)
            prior.append(np.clip(width, 1e-3, 30.0))
        self.prior_sd = np.concatenate(prior)
        self.sigma = _sigma([([r for t in self.law.unit_targets(u) for r in _residuals(stored, t)],
                              len(self.law.names(u))) for u in self.units])  # fmt: skip

    def _inputs(self, points: Points):
        from codescale.laws.mixlaws import Inputs

        return Inputs(points.n, points.d, points.p, points.unique_tokens())

    def predict(self, theta: np.ndarray, points: Points) -> tuple[np.ndarray, np.ndarray]:
        theta = np.atleast_2d(theta)
        x = self._inputs(points)
        s, r = len(theta), len(points)
        log_l = np.full((s, r, len(self.targets)), np.nan)
        jac = np.zeros((s, r, len(self.targets), len(self.theta)))
        for unit in self.units:
            cols = [self.targets.index(t) for t in self.law.unit_targets(unit)]
            part = theta[:, self.slices[unit]]
            with np.errstate(all="ignore"):
                if self.has_jacobian:
                    value, d = self.law.jacobian(unit, part, x)
                else:
                    value, d = self._differences(unit, part, x)
            log_l[:, :, cols] = value
            jac[:, :, cols, self.slices[unit]] = d
        return log_l, jac

    def _differences(self, unit: str, theta: np.ndarray, x) -> tuple[np.ndarray, np.ndarray]:
        s, k = theta.shape
        step = 1e-6 * np.maximum(1.0, np.abs(theta))
        rows = np.concatenate([theta[:, None, :], theta[:, None, :] + np.eye(k)[None] * step[:, :, None]], axis=1)
        values = self.law.log_predict(unit, rows.reshape(s * (k + 1), k), x).reshape((s, k + 1) + (len(x.n), -1))
        base = values[:, 0]
        d = (values[:, 1:] - base[:, None]) / step[:, :, None, None]
        return base, np.moveaxis(d, 1, -1)

    def existing(self, con: duckdb.DuckDBPyConnection) -> tuple[Points, list[str]]:
        data = self.data
        measured = np.stack([np.isfinite(data.observed(t)) for t in self.targets], axis=1)
        return Points(data.n, data.d, data.p, measured, data.unique), list(data.run_ids)


# --- answers --------------------------------------------------------------------------------------------------------


def loss_target(model, n: float, d: float, proportions: dict[str, float] | None, domain: str | None) -> Target:
    """The predicted loss at (N, D[, p]): of ``domain``, or the mean over what the law predicts there."""
    if isinstance(model, PerLanguageModel):
        langs = [domain] if domain else list(model.domains)
        _known(langs, model.domains, "language")
        if proportions:
            raise CodescaleError("a per-language law predicts single-language runs: drop p= from the target",
                                 hint="for mixtures, propose runs for a mixture fit")  # fmt: skip
        p = np.eye(len(model.domains))[[model.domains.index(x) for x in langs]]
        weights = np.zeros((len(langs), len(model.targets)))
        for i, lang in enumerate(langs):
            weights[i, model.targets.index(lang)] = 1.0 / len(langs)
        where = (
            f"{domain} "
            if domain
            else ("the mean over " + ", ".join(langs) + " " if len(langs) > 1 else f"{langs[0]} ")
        )
        points = Points(np.full(len(langs), n), np.full(len(langs), d), p, p > 0)
        return Target(f"loss of {where}at N={_si(n)}, D={_si(d)}", points, weights)
    p = _proportions(model, proportions)
    targets = _predicted_targets(model, domain)
    weights = np.zeros((1, len(model.targets)))
    weights[0, [model.targets.index(t) for t in targets]] = 1.0 / len(targets)
    points = Points(np.array([n]), np.array([d]), p[None], weights != 0)
    mix = ", ".join(f"{k} {v:.3g}" for k, v in zip(model.domains, p) if v > 0)
    what = domain or ("the mixture" if targets == ["(mixture)"] else "the mean over evaluated domains")
    return Target(f"loss of {what} at N={_si(n)}, D={_si(d)}, p=({mix})", points, weights)


def gain_target(model, n: float, d: float, optimum: dict[str, float], description: str) -> Target:
    """Predicted loss at uniform minus at ``optimum`` (the allocation held fixed), mean over what the law predicts
    (the objective of ``codescale allocate`` with equal weights)."""
    allocated = [x for x in optimum]
    uniform = {x: 1.0 / len(allocated) for x in allocated}
    p = np.array([[uniform.get(x, 0.0) for x in model.domains], [optimum.get(x, 0.0) for x in model.domains]])
    targets = list(model.targets) if isinstance(model, PerLanguageModel) else _predicted_targets(model, None)
    weights = np.zeros((2, len(model.targets)))
    cols = [model.targets.index(t) for t in targets if t in model.targets]
    weights[0, cols] = 1.0 / len(cols)
    weights[1, cols] = -1.0 / len(cols)
    points = Points(np.array([n, n]), np.array([d, d]), p, weights != 0)
    return Target(description, points, weights)


def param_target(model, name: str) -> Target:
    """One parameter: ``python.alpha``, ``go.E`` (L∞), ``(mixture).gamma``; the unit may be left out when unique."""
    unit, _, short = name.rpartition(".")
    if isinstance(model, PerLanguageModel):
        if not unit:
            if len(model.domains) > 1:
                raise CodescaleError(f"parameter {name!r}: say which language (e.g. {model.domains[0]}.{name})",
                                     hint=f"languages: {', '.join(model.domains)}")  # fmt: skip
            unit = model.domains[0]
        _known([unit], model.domains, "language")
        natural = ALIASES.get(short.lower(), short)
        if natural not in NATURAL:
            raise CodescaleError(f"unknown parameter {short!r} of a per-language law",
                                 hint="use A, B, E (or L_inf), alpha or beta")  # fmt: skip
        coord, exp = NATURAL[natural]
        block = model.blocks[model.domains.index(unit)]
        if coord not in block.form.params:
            coord = {"beta": "alpha"}.get(coord, coord)  # the shared-exponent form ties beta to alpha
            if coord not in block.form.params:
                raise CodescaleError(f"{unit}'s law ({block.form.name}) has no {natural}")
        index = block.start + block.form.params.index(coord)
        return Target(f"{natural} of {unit}" + (" (L∞)" if natural == "E" else ""), coordinate=index, exp=exp,
                      unit="" if natural in ("alpha", "beta") else "nats" if natural == "E" else "")  # fmt: skip
    matches = [i for i, full in enumerate(model.names) if full == name or (not unit and full.endswith("." + name))]
    if len(matches) != 1:
        shown = ", ".join(model.names[:12]) + (" ..." if len(model.names) > 12 else "")
        raise CodescaleError(f"{'ambiguous' if matches else 'unknown'} parameter {name!r} of the {model.law.name} law",
                             hint=f"name it as <unit>.<name>: {shown}")  # fmt: skip
    return Target(f"{model.names[matches[0]]} of the {model.law.name} law", coordinate=matches[0], unit="")


def _predicted_targets(model: MixtureModel, domain: str | None) -> list[str]:
    if domain is None:
        return list(model.targets)
    if domain not in model.targets:
        raise CodescaleError(f"the {model.law.name} law does not predict {domain}",
                             hint=f"it predicts {', '.join(model.targets)}")  # fmt: skip
    return [domain]


def _proportions(model, proportions: dict[str, float] | None) -> np.ndarray:
    if not proportions:
        return np.full(len(model.domains), 1.0 / len(model.domains))
    _known(list(proportions), model.domains, "training domain")
    p = np.array([proportions.get(x, 0.0) for x in model.domains])
    if np.any(p < 0) or p.sum() <= 0:
        raise CodescaleError("proportions must be >= 0 and not all 0")
    return p / p.sum()


def _known(names: list[str], known: list[str], what: str) -> None:
    unknown = [x for x in names if x not in known]
    if unknown:
        raise CodescaleError(f"the fit has no {what} {', '.join(unknown)}", hint=f"it covers {', '.join(known)}")


def _si(x: float) -> str:
    from codescale.core.fmt import si

    return si(x)
