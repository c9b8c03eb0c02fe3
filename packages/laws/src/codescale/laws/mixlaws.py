"""The family of mixture laws: how each predicts a domain's loss from N, D and the training proportions p.

Notation: p (or r, h) = training proportions over T domains (rows sum to 1); i = an evaluated domain, j = a training
domain; N, D = parameters and tokens; D'_j = the repetition-aware tokens of domain j (:mod:`.repetition`; equal to
p_j·D when the run does not repeat data). Every law predicts log L and is fitted by :mod:`.mixfit` (Huber on log
residuals, grid, Gauss-Newton, L-BFGS-B, bootstrap over runs).

``paper``           the paper's Eqs. 6-7, one law for the mixture's loss Σ_k p_k L_k, made unit-free::

                        L(N, D; p) = A·(N/N0)^−α_N(p) + B·(D_x/D0)^−α_D(p) + L∞(p)
                        α_N(p) = Σ p_k α_k,  α_D(p) = Σ p_k β_k,  L∞(p) = Σ p_k E_k      (per-domain fits)
                        D_x = (Σ_k D'_k)·(1 + γ·Σ_{i≠j} p_i p_j τ_ij)                    (τ: the synergy fit)

                    N0, D0 are reference scales stored with the fit (default: geometric means of the fitted runs),
                    so the units of N and D do not change any prediction. Fitted: log A, log B, γ. γ is bounded so
                    that 1 + γ·T(p) ≥ 0.01 for *every* p on the simplex, whatever the signs of τ (T(p) lies within
                    (1 − 1/K)·[min(0, min τ), max(0, max τ)]).
``ye_exp``          Ye et al. (2024), per evaluated domain at a fixed (N, D): L_i(r) = c_i + k_i·exp(Σ_j t_ij r_j).
                    The law is unchanged by adding one constant to every t_ij (Σ r_j = 1), so the t of one reference
                    domain (the one with the largest mean share) is fixed at 0; domains whose share never varies in
                    the fitted runs get no t. With runs at several scales the nested extrapolation applies: a scale
                    law L_mi(N, D) per training mixture m and domain i (the Chinchilla form, fitted like the
                    per-language law; Ye et al.'s step law and size law in one) predicts every mixture at the
                    requested scale, and the mixture law is fitted there.
``joint_additive``  Shukor et al. (2025), per evaluated domain:
                        L_i(N, D, h) = E + 1/(Σ_j C_j h_j^γ_j) + A·(N/N0)^−α + B·(D'/D0)^−β,   D' = Σ_j D'_j
                    A term whose variable never varies in the fitted runs is dropped (it would merge with E).
``joint``           the same with the scale terms depending on h: log A(h) = Σ_j h_j a_j, α(h) = Σ_j h_j α_j, and
                    likewise B and β (our parameterisation of Shukor et al.'s joint law).
``effective_data``  each domain's own per-domain law, at effective data D'_i + κ·Σ_{j≠i} τ_ij D'_j (one κ).
``synergy_factor``  each domain's own law at its own D'_i, times 1 − κ·Σ_{j≠i} τ_ij·4 p_i p_j/(p_i + p_j) (one κ).
``regression``      not a law: gradient-boosted trees (scikit-learn's HistGradientBoostingRegressor) from the
                    proportions (and log N, log D when they vary) to each domain's loss, the RegMix baseline. See
                    :mod:`.regression`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from codescale.core.errors import CodescaleError
from codescale.laws.mixdata import MIXTURE, MixtureData
from codescale.laws.mixfit import Problem
from codescale.laws.repetition import R_STAR, effective_tokens

LAWS = ("paper", "ye_exp", "joint_additive", "joint", "effective_data", "synergy_factor", "regression")
PARAMETRIC = tuple(law for law in LAWS if law != "regression")
NEEDS_DOMAIN_LAWS = ("paper", "effective_data", "synergy_factor")
SHARED = "(shared)"  # the fitting unit of a law whose parameters are shared by every domain


@dataclass
class Inputs:
    """Where to predict: N, D (raw counts), proportions over the law's training domains, unique tokens."""

    n: np.ndarray
    d: np.ndarray
    p: np.ndarray
    unique: np.ndarray

    @classmethod
    def of(cls, data: MixtureData) -> Inputs:
        return cls(data.n, data.d, data.p, data.unique)

    def effective(self, r_star: float) -> np.ndarray:
        """(R, T) D'_j."""
        return effective_tokens(self.p * self.d[:, None], self.unique, r_star)


class Law:
    """A mixture law: its fitting units, their problems, and prediction from parameter vectors."""

    name = ""
    r_star: float = R_STAR
    train_domains: list[str]
    """The training domains whose proportions the law reads, in column order."""

    def units(self) -> list[str]:
        raise NotImplementedError

    def unit_targets(self, unit: str) -> list[str]:
        return [unit]

    def targets(self) -> list[str]:
        return [t for u in self.units() for t in self.unit_targets(u)]

    def names(self, unit: str) -> tuple[str, ...]:
        raise NotImplementedError

    def settings(self) -> dict:
        raise NotImplementedError

    def log_predict(self, unit: str, theta: np.ndarray, x: Inputs) -> np.ndarray:
        """(S, R, targets of the unit) log loss for parameter rows theta (S, k)."""
        raise NotImplementedError

    def jacobian(self, unit: str, theta: np.ndarray, x: Inputs):
        """(S, R, t) log loss and (S, R, t, k) its Jacobian, or None to use differences."""
        return None

    def bounds(self, unit: str, data: MixtureData) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError

    def starts(self, unit: str, data: MixtureData) -> np.ndarray:
        raise NotImplementedError

    def observed(self, unit: str, data: MixtureData) -> np.ndarray:
        """(R, t) observed losses of the unit's targets (NaN = not observed)."""
        return np.stack([data.observed(t) for t in self.unit_targets(unit)], axis=1)

    def problem(self, unit: str, data: MixtureData) -> Problem:
        obs = self.observed(unit, data)
        ok = np.isfinite(obs) & (obs > 0)
        rows, cols = np.nonzero(ok)
        if len(rows) == 0:
            raise CodescaleError(f"{self.name}: no observed losses for {unit}")
        x = Inputs.of(data)
        lower, upper = self.bounds(unit, data)
        whole = obs.shape[1] == 1 and bool(ok.all())  # one target seen in every run: plain views, no gather

        def log_predict(theta):
            value = self.log_predict(unit, theta, x)
            return value[:, :, 0] if whole else value[:, rows, cols]

        jacobian: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]] | None = None
        if type(self).jacobian is not Law.jacobian:  # analytic; without one the fitter takes finite differences

            def analytic_jacobian(theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
                value, jac = self.jacobian(unit, theta, x)
                if whole:
                    return value[:, :, 0], jac[:, :, 0, :]
                return value[:, rows, cols], jac[:, rows, cols, :]

            jacobian = analytic_jacobian

        return Problem(self.names(unit), lower, upper, self.starts(unit, data), np.log(obs[rows, cols]), rows,
                       log_predict, jacobian)  # fmt: skip

    def predict(self, params: dict[str, np.ndarray], x: Inputs) -> dict[str, np.ndarray]:
        """{target: (R,)} losses from one parameter vector per unit."""
        out = {}
        for unit in self.units():
            values = np.exp(self.log_predict(unit, np.asarray(params[unit], float)[None, :], x)[0])
            for j, target in enumerate(self.unit_targets(unit)):
                out[target] = values[:, j]
        return out


def _reference_scales(data: MixtureData) -> tuple[float, float]:
    return float(np.exp(np.mean(np.log(data.n)))), float(np.exp(np.mean(np.log(data.d))))


def _varies(values: np.ndarray) -> bool:
    return bool(np.ptp(np.log(values)) > 1e-9) if len(values) else False


# --- paper --------------------------------------------------------------------------------------------------------


class PaperLaw(Law):
    name = "paper"

    def __init__(self, train_domains, domain_laws, tau: np.ndarray, n0: float, d0: float, r_star: float = R_STAR):
        missing = [t for t in train_domains if t not in domain_laws]
        if missing:
            raise CodescaleError(f"the paper's law needs a per-domain law for every training domain; missing: "
                                 f"{', '.join(missing)}", hint="fit them with `codescale fit chinchilla --by language`")  # fmt: skip
        self.train_domains = list(train_domains)
        self.domain_laws = {t: dict(domain_laws[t]) for t in train_domains}
        self.tau = np.asarray(tau, float)
        self.n0, self.d0, self.r_star = n0, d0, r_star
        self.alpha = np.array([self.domain_laws[t]["alpha"] for t in train_domains])
        self.beta = np.array([self.domain_laws[t]["beta"] for t in train_domains])
        self.e_inf = np.array([self.domain_laws[t]["E"] for t in train_domains])

    def units(self):
        return [MIXTURE]

    def names(self, unit):
        return ("log_A", "log_B", "gamma")

    def settings(self):
        return {"n0": self.n0, "d0": self.d0, "r_star": self.r_star, "train_domains": self.train_domains,
                "domain_laws": self.domain_laws, "tau": self.tau.tolist(),
                "transfer_sum": "ordered pairs i != j"}  # fmt: skip

    def gamma_bounds(self) -> tuple[float, float]:
        k = len(self.train_domains)
        off = self.tau[~np.eye(k, dtype=bool)] if k > 1 else np.zeros(1)
        t_hi = max(0.0, float(off.max())) * (1 - 1 / k)
        t_lo = min(0.0, float(off.min())) * (1 - 1 / k)
        scale = max(abs(t_hi), abs(t_lo), 1e-12)
        lo = -0.99 / t_hi if t_hi > 0 else -100.0 / scale
        hi = 0.99 / -t_lo if t_lo < 0 else 100.0 / scale
        return lo, hi

    def _terms(self, theta, x: Inputs):
        a, b, gamma = (theta[:, i : i + 1] for i in range(3))
        p = x.p
        a_n, a_d, e_inf = p @ self.alpha, p @ self.beta, p @ self.e_inf
        transfer = np.einsum("ri,ij,rj->r", p, self.tau, p)
        d_base = x.effective(self.r_star).sum(axis=1)
        factor = 1 + gamma * transfer
        d_x = d_base * factor
        with np.errstate(all="ignore"):
            t1 = np.exp(a - a_n * np.log(x.n / self.n0))
            t2 = np.exp(b - a_d * np.log(d_x / self.d0))
        return t1, t2, e_inf, a_d, transfer, factor

    def log_predict(self, unit, theta, x):
        t1, t2, e_inf, *_ = self._terms(np.atleast_2d(theta), x)
        with np.errstate(all="ignore"):
            return np.log(t1 + t2 + e_inf)[:, :, None]

    def jacobian(self, unit, theta, x):
        t1, t2, e_inf, a_d, transfer, factor = self._terms(np.atleast_2d(theta), x)
        total = t1 + t2 + e_inf
        with np.errstate(all="ignore"):
            jac = np.stack([t1, t2, -t2 * a_d * transfer / factor], axis=-1) / total[:, :, None]
            return np.log(total)[:, :, None], jac[:, :, None, :]

    def bounds(self, unit, data):
        lo, hi = self.gamma_bounds()
        return np.array([-30.0, -30.0, lo]), np.array([30.0, 30.0, hi])

    def starts(self, unit, data):
        lo, hi = self.gamma_bounds()
        gammas = sorted({0.0, *(f * lo for f in (0.9, 0.5, 0.1)), *(min(hi, g) for g in (0.5, 1.0, 2.0, 5.0, 20.0))})
        axis = np.arange(-8.0, 4.1, 2.0)
        return np.array(list(itertools.product(axis, axis, gammas)))


# --- ye_exp -------------------------------------------------------------------------------------------------------


class YeExpLaw(Law):
    name = "ye_exp"

    def __init__(self, train_domains, eval_domains, active: list[str], reference: str, scale: tuple[float, float]):
        self.train_domains, self.eval_domains = list(train_domains), list(eval_domains)
        self.active, self.reference, self.scale = list(active), reference, (float(scale[0]), float(scale[1]))
        self.free = [j for j in self.active if j != reference]
        self.columns = np.array([self.train_domains.index(j) for j in self.free], dtype=int)

    @classmethod
    def for_data(cls, data: MixtureData, scale: tuple[float, float] | None = None) -> YeExpLaw:
        active = [t for j, t in enumerate(data.train_domains) if np.ptp(data.p[:, j]) > 1e-9]
        if not active:
            raise CodescaleError("ye_exp: the proportions never vary in the selected runs, so no mixture effect can "
                                 "be fitted", hint="select runs with different mixtures")  # fmt: skip
        means = {t: data.p[:, data.train_domains.index(t)].mean() for t in active}
        reference = max(active, key=lambda t: (means[t], t))
        scale = scale or max(data.scales(), key=lambda s: (sum(1 for x in zip(data.n, data.d) if x == s), s[0] * s[1]))
        return cls(data.train_domains, data.eval_domains, active, reference, scale)

    def units(self):
        return list(self.eval_domains)

    def names(self, unit):
        return ("log_c", "log_k", *(f"t:{j}" for j in self.free))

    def regauge(self, params: dict[str, float], reference: str) -> dict[str, float]:
        """The same law with the t of ``reference`` fixed at 0 instead: t_j − t_ref, log k + t_ref."""
        t = {j: params.get(f"t:{j}", 0.0) for j in self.active}
        shift = t[reference]
        out = {"log_c": params["log_c"], "log_k": params["log_k"] + shift}
        out.update({f"t:{j}": v - shift for j, v in t.items() if j != reference})
        return out

    def settings(self):
        return {"train_domains": self.train_domains, "eval_domains": self.eval_domains, "active": self.active,
                "reference": self.reference, "scale": list(self.scale),
                "invariance": f"t of {self.reference} fixed at 0 (adding a constant to every t_ij changes nothing)"}  # fmt: skip

    def _parts(self, theta, x):
        theta = np.atleast_2d(theta)
        r = x.p[:, self.columns]
        with np.errstate(all="ignore"):
            c = np.exp(theta[:, :1])
            k_exp = np.exp(theta[:, 1:2] + theta[:, 2:] @ r.T)
        return c, k_exp, r

    def log_predict(self, unit, theta, x):
        c, k_exp, _ = self._parts(theta, x)
        with np.errstate(all="ignore"):
            return np.log(c + k_exp)[:, :, None]

    def jacobian(self, unit, theta, x):
        c, k_exp, r = self._parts(theta, x)
        total = c + k_exp
        with np.errstate(all="ignore"):
            w = k_exp / total
            jac = np.concatenate([(c / total)[:, :, None], w[:, :, None], w[:, :, None] * r[None, :, :]], axis=2)
            return np.log(total)[:, :, None], jac[:, :, None, :]

    def bounds(self, unit, data):
        top = float(np.log(np.nanmax(data.observed(unit))))
        k = 2 + len(self.free)
        lower = np.array([-15.0, -30.0] + [-60.0] * (k - 2))
        upper = np.array([top, 10.0] + [60.0] * (k - 2))
        return lower, upper

    def starts(self, unit, data):
        obs = data.observed(unit)
        ok = np.isfinite(obs)
        y, r = obs[ok], data.p[ok][:, self.columns]
        design = np.column_stack([np.ones(len(y)), r])
        out = []
        for q in (0.0, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.98):
            c = q * y.min()
            coef, *_ = np.linalg.lstsq(design, np.log(y - c), rcond=None)
            out.append([np.log(c) if c > 0 else -15.0, *coef])
        return np.clip(np.array(out), -59, 59)


# --- joint_additive and joint -------------------------------------------------------------------------------------


class AdditiveLaw(Law):
    """Shukor et al.'s additive law (``joint=False``) and its joint variant (``joint=True``)."""

    def __init__(self, train_domains, eval_domains, active: list[str], n0: float, d0: float, n_term: bool,
                 d_term: bool, joint: bool, r_star: float = R_STAR):  # fmt: skip
        self.name = "joint" if joint else "joint_additive"
        self.train_domains, self.eval_domains, self.active = list(train_domains), list(eval_domains), list(active)
        self.n0, self.d0, self.n_term, self.d_term, self.joint, self.r_star = n0, d0, n_term, d_term, joint, r_star
        self.columns = np.array([self.train_domains.index(j) for j in self.active], dtype=int)

    @classmethod
    def for_data(cls, data: MixtureData, joint: bool, r_star: float = R_STAR) -> AdditiveLaw:
        active = [t for j, t in enumerate(data.train_domains) if data.p[:, j].max() > 0]
        n0, d0 = _reference_scales(data)
        return cls(data.train_domains, data.eval_domains, active, n0, d0, _varies(data.n), _varies(data.d), joint,
                   r_star)  # fmt: skip

    def units(self):
        return list(self.eval_domains)

    def _scale_names(self, term: str, exponent: str) -> list[str]:
        if self.joint:
            return [f"log_{term}:{j}" for j in self.active] + [f"{exponent}:{j}" for j in self.active]
        return [f"log_{term}", exponent]

    def names(self, unit):
        names = ["log_E", *(f"log_C:{j}" for j in self.active), *(f"gamma:{j}" for j in self.active)]
        if self.n_term:
            names += self._scale_names("A", "alpha")
        if self.d_term:
            names += self._scale_names("B", "beta")
        return tuple(names)

    def settings(self):
        return {"train_domains": self.train_domains, "eval_domains": self.eval_domains, "active": self.active,
                "n0": self.n0, "d0": self.d0, "n_term": self.n_term, "d_term": self.d_term, "joint": self.joint,
                "r_star": self.r_star}  # fmt: skip

    def _evaluate(self, theta, x: Inputs, with_jacobian: bool):
        theta = np.atleast_2d(theta)
        t = len(self.active)
        h = x.p[:, self.columns]  # (R, t)
        pos = h > 0
        log_h = np.log(np.where(pos, h, 1.0))
        e = np.exp(theta[:, 0])[:, None]
        log_c, gamma = theta[:, 1 : 1 + t], theta[:, 1 + t : 1 + 2 * t]
        with np.errstate(all="ignore"):
            parts = np.where(pos[None], np.exp(log_c[:, None, :] + gamma[:, None, :] * log_h[None]), 0.0)  # (S,R,t)
            s = parts.sum(axis=2)
            mix = 1.0 / s
        total = e + mix
        cols = [np.broadcast_to(e, mix.shape), -(mix**2)[:, :, None] * parts,
                -(mix**2)[:, :, None] * parts * log_h[None]] if with_jacobian else []  # fmt: skip
        i = 1 + 2 * t
        for on, variable in ((self.n_term, np.log(x.n / self.n0)), (self.d_term, None)):
            if not on:
                continue
            if variable is None:
                variable = np.log(x.effective(self.r_star).sum(axis=1) / self.d0)
            if self.joint:
                log_a = theta[:, i : i + t] @ h.T
                expo = theta[:, i + t : i + 2 * t] @ h.T
                i += 2 * t
            else:
                log_a, expo = theta[:, i : i + 1], theta[:, i + 1 : i + 2]
                i += 2
            with np.errstate(all="ignore"):
                term = np.exp(log_a - expo * variable[None, :])
            total = total + term
            if with_jacobian:
                if self.joint:
                    cols += [term[:, :, None] * h[None], -(term * variable[None, :])[:, :, None] * h[None]]
                else:
                    cols += [term, -term * variable[None, :]]
        with np.errstate(all="ignore"):
            value = np.log(total)[:, :, None]
            if not with_jacobian:
                return value, None
            parts_ = [c if c.ndim == 3 else c[:, :, None] for c in cols]
            jac = np.concatenate(parts_, axis=2) / total[:, :, None]
        return value, jac[:, :, None, :]

    def log_predict(self, unit, theta, x):
        return self._evaluate(theta, x, False)[0]

    def jacobian(self, unit, theta, x):
        return self._evaluate(theta, x, True)

    def bounds(self, unit, data):
        t = len(self.active)
        top = float(np.log(np.nanmax(data.observed(unit))))
        lower, upper = [-15.0] + [-15.0] * t + [0.01] * t, [top] + [15.0] * t + [5.0] * t
        per = t if self.joint else 1
        for on in (self.n_term, self.d_term):
            if on:
                lower += [-15.0] * per + [0.0] * per
                upper += [15.0] * per + [3.0] * per
        return np.array(lower), np.array(upper)

    def starts(self, unit, data):
        obs = data.observed(unit)
        y = obs[np.isfinite(obs)]
        h = data.p[:, self.columns]
        t = len(self.active)
        per = t if self.joint else 1
        out = []
        for q, gamma, share in itertools.product((0.5, 0.8, 0.9), (0.3, 1.0), (0.5, 0.9)):
            e = q * y.min()
            rest = max(float(np.mean(y)) - e, 1e-3)
            mass = float(np.mean(np.where(h > 0, np.power(np.where(h > 0, h, 1.0), gamma), 0.0).sum(axis=1)))
            log_c = -np.log(share * rest * mass)
            row = [np.log(e)] + [log_c] * t + [gamma] * t
            scale_part = (1 - share) * rest / max(1, int(self.n_term) + int(self.d_term))
            for on in (self.n_term, self.d_term):
                if on:
                    row += [np.log(scale_part)] * per + [0.3] * per
            out.append(row)
        return np.array(out)


# --- effective_data and synergy_factor ----------------------------------------------------------------------------


class TransferLaw(Law):
    """One κ shared by every domain, over the per-domain laws (N, D in billions) and τ."""

    def __init__(self, name: str, train_domains, eval_domains, domain_laws, tau: np.ndarray, r_star: float = R_STAR):
        self.name = name
        self.train_domains = list(train_domains)
        self.eval_domains = [v for v in eval_domains if v in train_domains and v in domain_laws]
        if not self.eval_domains:
            raise CodescaleError(f"{name} needs evaluated domains that are trained on and have a per-domain law",
                                 hint="fit them with `codescale fit chinchilla --by language`")  # fmt: skip
        self.domain_laws = {v: dict(domain_laws[v]) for v in self.eval_domains}
        self.tau = np.asarray(tau, float)
        self.r_star = r_star
        self.rows = np.array([self.train_domains.index(v) for v in self.eval_domains], dtype=int)

    def units(self):
        return [SHARED]

    def unit_targets(self, unit):
        return list(self.eval_domains)

    def observed(self, unit, data):
        """Losses of domains the run trains on: a domain's own law says nothing where its share is 0."""
        obs = super().observed(unit, data)
        own = data.p[:, [data.train_domains.index(v) for v in self.eval_domains]]
        return np.where(own > 0, obs, np.nan)

    def names(self, unit):
        return ("kappa",)

    def settings(self):
        return {"train_domains": self.train_domains, "eval_domains": self.eval_domains,
                "domain_laws": self.domain_laws, "tau": self.tau.tolist(), "r_star": self.r_star, "units": "billions"}  # fmt: skip

    def log_predict(self, unit, theta, x):
        theta = np.atleast_2d(theta)
        kappa = theta[:, :1, None]  # (S, 1, 1)
        law = {
            k: np.array([self.domain_laws[v][k] for v in self.eval_domains]) for k in ("A", "B", "E", "alpha", "beta")
        }
        n_b = (x.n / 1e9)[None, :, None]
        own_tokens = x.effective(self.r_star) / 1e9  # (R, T)
        tau = self.tau[self.rows]  # (V, T)
        p = x.p
        p_i = p[:, self.rows][None]  # (1, R, V)
        with np.errstate(all="ignore"):
            if self.name == "effective_data":
                d_eff = own_tokens[:, self.rows][None] + kappa * (own_tokens @ tau.T)[None]
                loss = (
                    law["E"]
                    + law["A"] * n_b ** -law["alpha"]
                    + law["B"] * np.where(d_eff > 0, d_eff, np.nan) ** -law["beta"]
                )
            else:
                own = (
                    law["E"]
                    + law["A"] * n_b ** -law["alpha"]
                    + law["B"] * own_tokens[:, self.rows][None] ** -law["beta"]
                )
                pi = p[:, self.rows][:, :, None]
                s = 4 * pi * p[:, None, :] / (pi + p[:, None, :])
                s = np.where(np.isfinite(s), s, 0.0)
                overlap = np.einsum("vt,rvt->rv", tau, s)[None]
                loss = own * np.maximum(1 - kappa * overlap, 0.05)
            loss = np.where(p_i > 0, loss, np.nan)
            return np.log(loss)

    def bounds(self, unit, data):
        return np.array([-2.0]), np.array([50.0])

    def starts(self, unit, data):
        return np.concatenate([np.linspace(-2, 5, 29), np.linspace(6, 50, 12)])[:, None]


def make_law(name: str, data: MixtureData, *, domain_laws=None, tau=None, r_star: float = R_STAR,
             n0: float | None = None, d0: float | None = None) -> Law:  # fmt: skip
    """A law of the family for these runs (the regression baseline is built by :mod:`.regression`)."""
    if name == "paper":
        ref_n, ref_d = _reference_scales(data)
        return PaperLaw(
            data.train_domains, domain_laws or {}, _tau_or_zero(tau, data), n0 or ref_n, d0 or ref_d, r_star
        )
    if name == "ye_exp":
        return YeExpLaw.for_data(data)
    if name in ("joint_additive", "joint"):
        law = AdditiveLaw.for_data(data, joint=name == "joint", r_star=r_star)
        if n0 or d0:
            law.n0, law.d0 = n0 or law.n0, d0 or law.d0
        return law
    if name in ("effective_data", "synergy_factor"):
        return TransferLaw(name, data.train_domains, data.eval_domains, domain_laws or {}, _tau_or_zero(tau, data),
                           r_star)  # fmt: skip
    raise CodescaleError(f"unknown mixture law {name!r}", hint=f"laws: {', '.join(LAWS)}")


def law_from_settings(name: str, settings: dict) -> Law:
    """Rebuild a stored law from its settings (the inverse of ``Law.settings``)."""
    r_star = settings.get("r_star", R_STAR)
    if name == "paper":
        return PaperLaw(settings["train_domains"], settings["domain_laws"], np.array(settings["tau"]),
                        settings["n0"], settings["d0"], r_star)  # fmt: skip
    if name == "ye_exp":
        return YeExpLaw(settings["train_domains"], settings["eval_domains"], settings["active"],
                        settings["reference"], tuple(settings["scale"]))  # fmt: skip
    if name in ("joint_additive", "joint"):
        return AdditiveLaw(settings["train_domains"], settings["eval_domains"], settings["active"], settings["n0"],
                           settings["d0"], settings["n_term"], settings["d_term"], settings["joint"], r_star)  # fmt: skip
    if name in ("effective_data", "synergy_factor"):
        return TransferLaw(name, settings["train_domains"], settings["eval_domains"], settings["domain_laws"],
                           np.array(settings["tau"]), r_star)  # fmt: skip
    raise CodescaleError(f"unknown mixture law {name!r}", hint=f"laws: {', '.join(LAWS)}")


def _tau_or_zero(tau, data: MixtureData) -> np.ndarray:
    t = len(data.train_domains)
    if tau is None:
        return np.zeros((t, t))
    if isinstance(tau, dict):
        out = np.zeros((t, t))
        for i, a in enumerate(data.train_domains):
            for j, b in enumerate(data.train_domains):
                if i != j:
                    out[i, j] = tau.get(a, {}).get(b, 0.0)
        return out
    return np.asarray(tau, float)
