"""The functional forms of the per-language scaling law, in the parameterisation the fitter works in.

The law (Chinchilla "approach 3"; the paper's Eq. 1 and Eqs. 3-5 are the same form with E written L∞)::

    L(N, D) = E + A / N^α + B / D^β

is fitted in log space with A = e^a, B = e^b, E = e^e, so that every parameter is unconstrained and the prediction
is a log-sum-exp that never overflows::

    log L̂(N, D) = LSE(a − α·log N,  b − β·log D,  e)

The objective over runs n (with optional non-negative weights c_n, the bootstrap's resampling counts) is the SUM of
Huber losses of the log residuals r_n = log L_n − log L̂_n::

    f(θ) = Σ_n c_n · huber_δ(r_n),   huber_δ(r) = r²/2 if |r| ≤ δ else δ·(|r| − δ/2),   δ = 1e-3

θ always has five "full" coordinates in the order ``(a, alpha, b, beta, e)``. A :class:`Form` maps its own free
parameters onto them with a fixed 0/1 matrix, so the shared-exponent form (α = β) is the same code with one column
fewer. :func:`objective` returns f, its exact gradient and its exact Hessian for many parameter vectors (starts) at
once; the Hessian is assembled from six weighted sums ``Σ_n M_kl(n)·feature(n)`` computed as matrix products, which is
what makes fitting 4,500 starts at once cheap (see :mod:`codescale.laws.fit`).

Units: N and D are whatever the caller passes; :data:`UNITS` names the two supported scalings (``raw`` counts, as in
the Chinchilla replications, and ``billions``, as in the paper's figures). A fit records its unit, and
:func:`convert_params` moves A and B between them (A_raw = A_billions · (1e9)^α).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from codescale.core.errors import CodescaleError

FULL_PARAMS = ("a", "alpha", "b", "beta", "e")
UNITS = {"raw": 1.0, "billions": 1e9}
DEFAULT_DELTA = 1e-3


@dataclass(frozen=True)
class Form:
    """A law form: which of the five full parameters are free and how they map onto the full vector."""

    name: str
    params: tuple[str, ...]
    expand: np.ndarray  # (5, k): theta_full = theta @ expand.T + offset
    description: str
    offset: np.ndarray = field(default_factory=lambda: np.zeros(5))

    @property
    def k(self) -> int:
        return len(self.params)

    def full(self, theta: np.ndarray) -> np.ndarray:
        return np.asarray(theta, dtype=float) @ self.expand.T + self.offset


def _expand(params: tuple[str, ...], mapping: dict[str, str]) -> np.ndarray:
    m = np.zeros((5, len(params)))
    for i, full_name in enumerate(FULL_PARAMS):
        m[i, params.index(mapping.get(full_name, full_name))] = 1.0
    return m


CHINCHILLA = Form(
    "chinchilla",
    FULL_PARAMS,
    _expand(FULL_PARAMS, {}),
    "L = E + A/N^alpha + B/D^beta",
)
CHINCHILLA_SHARED = Form(
    "chinchilla_shared",
    ("a", "alpha", "b", "e"),
    _expand(("a", "alpha", "b", "e"), {"beta": "alpha"}),
    "L = E + A/N^alpha + B/D^alpha (shared exponent)",
)
# When every run has the same D the data term is a constant: fit L = E' + A/N^alpha with E' = E + B/D^beta.
# The B term is switched off (b = -200, beta = 0: e^-200 is far below any loss) rather than special-cased.
N_ONLY = Form(
    "n_only",
    ("a", "alpha", "e"),
    np.array([[1, 0, 0], [0, 1, 0], [0, 0, 0], [0, 0, 0], [0, 0, 1]], dtype=float),
    "L = E' + A/N^alpha (one token budget: E' includes the data term)",
    np.array([0.0, 0.0, -200.0, 0.0, 0.0]),
)
FORMS = {f.name: f for f in (CHINCHILLA, CHINCHILLA_SHARED, N_ONLY)}


def get_form(name: str) -> Form:
    try:
        return FORMS[name]
    except KeyError:
        raise CodescaleError(f"unknown law form {name!r}", hint=f"known forms: {', '.join(FORMS)}") from None


def log_predict(theta_full: np.ndarray, log_n: np.ndarray, log_d: np.ndarray) -> np.ndarray:
    """log L̂ for parameter rows ``theta_full`` (S, 5) at runs (n,) -> (S, n)."""
    a, alpha, b, beta, e = (theta_full[:, i : i + 1] for i in range(5))
    u1 = a - alpha * log_n
    u2 = b - beta * log_d
    m = np.maximum(np.maximum(u1, u2), e)
    return m + np.log(np.exp(u1 - m) + np.exp(u2 - m) + np.exp(e - m))


def predict(params: dict[str, float], n: ArrayLike, d: ArrayLike) -> np.ndarray:
    """L = E + A/N^α + B/D^β from natural parameters (A, B, E, alpha, beta), N and D in the fit's units."""
    n = np.asarray(n, dtype=float)
    d = np.asarray(d, dtype=float)
    return params["E"] + params["A"] * n ** -params["alpha"] + params["B"] * d ** -params["beta"]


def natural_params(theta_full: np.ndarray) -> dict[str, float]:
    a, alpha, b, beta, e = (float(x) for x in theta_full)
    with np.errstate(over="ignore", under="ignore"):
        return {"A": float(np.exp(a)), "B": float(np.exp(b)), "E": float(np.exp(e)), "alpha": alpha, "beta": beta}


def convert_params(params: dict[str, float], from_units: str, to_units: str) -> dict[str, float]:
    """Re-express A and B for N, D measured in other units (E, α, β do not change)."""
    scale = UNITS[from_units] / UNITS[to_units]  # N_to = N_from * scale
    out = dict(params)
    out["A"] = params["A"] * scale ** params["alpha"]
    out["B"] = params["B"] * scale ** params["beta"]
    return out


def huber(r: np.ndarray, delta: float) -> np.ndarray:
    ar = np.abs(r)
    return np.where(ar <= delta, 0.5 * r * r, delta * (ar - 0.5 * delta))


def _exp_terms(theta_full: np.ndarray, log_n: np.ndarray, log_d: np.ndarray):
    """exp(a − α log N), exp(b − β log D), exp(e) and their sum, scaled by a per-row constant when needed.

    Rows whose exponents stay within (−600, 600) over the data (bounded in O(S) since each exponent is linear in
    log N or log D) are exponentiated directly; the other rows are shifted by their largest exponent first, which is
    what makes log-sum-exp stable. Returns x1, x2, x3, total and the per-row shift (0 where unshifted)."""
    a, alpha, b, beta, e = (theta_full[:, i : i + 1] for i in range(5))
    lo_n, hi_n = log_n.min(), log_n.max()
    lo_d, hi_d = log_d.min(), log_d.max()
    u1_max = np.maximum(a - alpha * lo_n, a - alpha * hi_n)
    u1_min = np.minimum(a - alpha * lo_n, a - alpha * hi_n)
    u2_max = np.maximum(b - beta * lo_d, b - beta * hi_d)
    u2_min = np.minimum(b - beta * lo_d, b - beta * hi_d)
    top = np.maximum(np.maximum(u1_max, u2_max), e)
    safe = (top < 600) & (np.minimum(np.minimum(u1_min, u2_min), e) > -600)
    shift = np.where(safe, 0.0, top)
    x1 = np.exp((a - shift) - alpha * log_n)
    x2 = np.exp((b - shift) - beta * log_d)
    x3 = np.exp(e - shift)
    total = x1 + x2
    total += x3
    return x1, x2, x3, total, shift


def objective(
    theta_full: np.ndarray,
    log_n: np.ndarray,
    log_d: np.ndarray,
    log_l: np.ndarray,
    weights: np.ndarray | None = None,
    delta: float = DEFAULT_DELTA,
    order: int = 2,
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """Summed Huber objective for S parameter rows at once: f (S,), gradient (S, 5), Hessian (S, 5, 5).

    ``weights`` is (n,) or (S, n) (per-row resampling counts); ``order`` 0, 1 or 2 says how many derivatives.
    """
    with np.errstate(over="ignore", divide="ignore", invalid="ignore", under="ignore"):
        return _objective(np.atleast_2d(theta_full), log_n, log_d, log_l, weights, delta, order)


def _objective(theta_full, log_n, log_d, log_l, weights, delta, order):
    x1, x2, x3, total, shift = _exp_terms(theta_full, log_n, log_d)
    r = np.log(total)
    r += shift
    np.subtract(log_l, r, out=r)  # residual log L − log L̂
    psi = np.clip(r, -delta, delta)  # Huber's psi = d huber / d r
    cpsi = psi if weights is None else psi * weights
    # huber(r) = psi * (r − psi/2) in both regimes
    f = np.einsum("sn,sn->s", cpsi, r - 0.5 * psi)
    if order == 0:
        return f, None, None
    inv = 1.0 / total
    w1, w2 = x1 * inv, x2 * inv
    w3 = x3 * inv  # softmax weights: d log L̂ / d u_k
    q1, q2, q3 = cpsi * w1, cpsi * w2, cpsi * w3
    one_n = np.stack([np.ones_like(log_n), log_n], axis=1)
    one_d = np.stack([np.ones_like(log_d), log_d], axis=1)
    g1 = q1 @ one_n
    g2 = q2 @ one_d
    grad = np.stack([-g1[:, 0], g1[:, 1], -g2[:, 0], g2[:, 1], -q3.sum(axis=1)], axis=1)
    if order == 1:
        return f, grad, None
    # Hessian in u-space per run: c[(psi' + psi) w w^T − psi diag(w)], then chained through u(theta).
    t = (np.abs(r) <= delta).astype(float)
    if weights is not None:
        t *= weights
    t += cpsi
    tw1, tw2 = t * w1, t * w2
    m11 = tw1 * w1
    m11 -= q1
    m22 = tw2 * w2
    m22 -= q2
    m33 = t * w3
    m33 *= w3
    m33 -= q3
    m13 = tw1 * w3
    m23 = tw2 * w3
    m12 = tw1
    m12 *= w2
    s11 = m11 @ np.stack([np.ones_like(log_n), log_n, log_n * log_n], axis=1)
    s22 = m22 @ np.stack([np.ones_like(log_d), log_d, log_d * log_d], axis=1)
    s12 = m12 @ np.stack([np.ones_like(log_n), log_n, log_d, log_n * log_d], axis=1)
    s13 = m13 @ one_n
    s23 = m23 @ one_d
    s33 = m33.sum(axis=1)
    hess = np.empty((theta_full.shape[0], 5, 5))
    entries = {
        (0, 0): s11[:, 0], (0, 1): -s11[:, 1], (1, 1): s11[:, 2],
        (0, 2): s12[:, 0], (0, 3): -s12[:, 2], (1, 2): -s12[:, 1], (1, 3): s12[:, 3],
        (0, 4): s13[:, 0], (1, 4): -s13[:, 1],
        (2, 2): s22[:, 0], (2, 3): -s22[:, 1], (3, 3): s22[:, 2],
        (2, 4): s23[:, 0], (3, 4): -s23[:, 1], (4, 4): s33,
    }  # fmt: skip
    for (i, j), v in entries.items():
        hess[:, i, j] = v
        hess[:, j, i] = v
    return f, grad, hess
