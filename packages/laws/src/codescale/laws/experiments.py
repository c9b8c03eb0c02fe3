"""Look-alikes of two public mixture experiments, simulated, written as the CSV files those studies publish.

The public data (Ye et al.'s Pile mixtures, RegMix's proxy runs) cannot be shipped or downloaded here, so tests, the
benchmark and rehearsals use tables of the same shape from a generating law of our own that *no* law of the family
matches (so a good held-out score is earned, not built in):

    s_i(p) = Σ_j W_ij p_j                                   (how much of the mixture helps domain i; W_ii = 1)
    L_i(p) = E_i + B_i·(s_i(p) + ε_i)^(−β_i)·(1 + η_i·Σ_j V_ij p_j²) · e^(σ_run·z_run + σ·z_ri)

W is sparse (a few related domains help each other, e.g. the code and math domains), V adds a mild penalty for
concentrated mixtures, and the noise has a per-run part shared by every domain (one run is simply better or worse)
and a per-cell part.

- :func:`pile_mixtures`: 5 Pile domains (ArXiv, Books3, Github, Pile-CC, Wikipedia (en)) at a fixed 70M scale, 26
  mixtures of which 6 are marked ``split = test``; columns ``run, split, model_size, tokens, p:<domain>,
  loss:<domain>`` (proportions printed with 4 decimals).
- :func:`regmix_mixtures`: 17 training domains, 13 evaluated, 1M-parameter proxies; 512 ``train`` + 256 ``test``
  mixtures drawn like RegMix's (Dirichlet around the natural token shares with a varying concentration); columns
  ``index, split, train_the_pile_<domain>, metric/the_pile_<domain>_val_loss``, no size or token column (import
  with ``--set size=1M,tokens=1B``).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

PILE_DOMAINS = ("ArXiv", "Books3", "Github", "Pile-CC", "Wikipedia (en)")
REGMIX_DOMAINS = ("pile_cc", "pubmed_central", "arxiv", "github", "freelaw", "stackexchange", "uspto_backgrounds",
                  "pubmed_abstracts", "gutenberg_pg_19", "wikipedia_en", "dm_mathematics", "ubuntu_irc", "europarl",
                  "hackernews", "philpapers", "nih_exporter", "enron_emails")  # fmt: skip
REGMIX_EVALUATED = REGMIX_DOMAINS[:13]
# natural shares of the Pile's tokens (rounded), the centre of RegMix's Dirichlet
REGMIX_PRIOR = np.array([18.1, 14.4, 9.0, 7.6, 6.1, 5.1, 3.7, 3.1, 2.2, 1.5, 1.2, 0.9, 0.7, 0.6, 0.4, 0.3, 0.1])


def _truth(rng, t: int, v: int, base: tuple[float, float], related: list[tuple[int, int]]):
    e = rng.uniform(*base, v)
    b = rng.uniform(0.25, 0.6, v)
    beta = rng.uniform(0.15, 0.35, v)
    w = np.zeros((v, t))
    for i in range(v):
        w[i, i] = 1.0
        others = [j for j in range(t) if j != i]
        w[i, rng.choice(others, size=min(3, len(others)), replace=False)] = rng.uniform(0.02, 0.15, min(3, len(others)))
    for i, j in related:
        if i < v:
            w[i, j] = rng.uniform(0.3, 0.6)
    eps = rng.uniform(0.01, 0.03, v)
    eta = rng.uniform(0.02, 0.08, v)
    vmat = rng.uniform(0, 1, (v, t))
    return e, b, beta, w, eps, eta, vmat


def _losses(rng, p, truth, noise: float, run_noise: float) -> np.ndarray:
    e, b, beta, w, eps, eta, vmat = truth
    share = p @ w.T + eps
    loss = e + b * share**-beta * (1 + eta * ((p**2) @ vmat.T))
    run_effect = run_noise * rng.standard_normal((len(p), 1))
    return loss * np.exp(run_effect + noise * rng.standard_normal(loss.shape))


def pile_mixtures(path: str | Path, seed: int = 0, noise: float = 0.006, run_noise: float = 0.003) -> Path:
    """26 mixtures of 5 Pile domains at 70M (6 held out), as ``p:<domain>`` / ``loss:<domain>`` columns."""
    rng = np.random.default_rng(seed)
    t = len(PILE_DOMAINS)
    truth = _truth(rng, t, t, (1.6, 2.8), [(0, 2), (2, 0), (1, 4), (4, 1), (3, 4)])
    p = rng.dirichlet(np.ones(t), 26)
    p = np.round(p, 4)
    p[:, -1] = np.round(1 - p[:, :-1].sum(axis=1), 4)  # printed to 4 decimals, summing to 1 like a mixture table
    loss = _losses(rng, np.clip(p, 0, None), truth, noise, run_noise)
    test = set(rng.choice(26, 6, replace=False).tolist())
    header = [
        "run",
        "split",
        "model_size",
        "tokens",
        *(f"p:{d}" for d in PILE_DOMAINS),
        *(f"loss:{d}" for d in PILE_DOMAINS),
    ]
    rows = [[f"mix{r:02d}", "test" if r in test else "train", "70M", "25B", *(f"{x:.4f}" for x in p[r]),
             *(f"{x:.5f}" for x in loss[r])] for r in range(26)]  # fmt: skip
    return _write(path, header, rows)


def regmix_mixtures(path: str | Path, seed: int = 0, train: int = 512, test: int = 256, noise: float = 0.001,
                    run_noise: float = 0.0005) -> Path:  # fmt: skip
    """RegMix-shaped proxy runs: 17 training domains, 13 evaluated, ``train_the_pile_*`` / ``metric/the_pile_*``."""
    rng = np.random.default_rng(seed)
    t, v = len(REGMIX_DOMAINS), len(REGMIX_EVALUATED)
    truth = _truth(rng, t, v, (3.2, 5.0), [(2, 10), (3, 5), (5, 3), (1, 7), (7, 1), (0, 13), (9, 14)])
    prior = REGMIX_PRIOR / REGMIX_PRIOR.sum()
    n = train + test
    concentration = np.exp(rng.uniform(np.log(0.1), np.log(5.0), n))
    p = np.array([rng.dirichlet(np.maximum(prior * c * t, 1e-3)) for c in concentration])
    p = np.where(p < 1e-6, 0.0, p)
    p = p / p.sum(axis=1, keepdims=True)
    loss = _losses(rng, p, truth, noise, run_noise)
    header = ["index", "split", *(f"train_the_pile_{d}" for d in REGMIX_DOMAINS),
              *(f"metric/the_pile_{d}_val_loss" for d in REGMIX_EVALUATED)]  # fmt: skip
    rows = [[str(r), "train" if r < train else "test", *(repr(float(x)) for x in p[r]),
             *(f"{x:.6f}" for x in loss[r])] for r in range(n)]  # fmt: skip
    return _write(path, header, rows)


def _write(path, header, rows) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path
