"""Shared builders for the mixture-law tests: simulated stores from the paper preset or from any law's truth."""

from __future__ import annotations

import numpy as np

from codescale.laws import presets, store
from codescale.laws.fit import FitSettings
from codescale.laws.fitstore import N_COLUMNS, fit_groups
from codescale.laws.simulate import grid_plan, simulate_plan
from codescale.laws.synergy import fit_synergy

LANGS = ["go", "java", "python"]


def code_store(path, mixtures: int = 6, seed: int = 0):
    """Monolingual grid + 50:50 synergy pairs + random mixtures of three languages (paper preset), with the
    per-language fits (batch 'mono', 20 bootstrap draws) and the synergy matrix the mixture laws build on."""
    con = store.connect(path)
    truth = presets.paper_truth()
    simulate_plan(con, grid_plan("mono", [1e8, 3e8, 1e9, 3e9], [2e9, 8e9, 32e9, 128e9], [{x: 1} for x in LANGS]),
                  truth, noise=0.002)  # fmt: skip
    pairs = [{a: 1, b: 1} for i, a in enumerate(LANGS) for b in LANGS[i + 1 :]]
    simulate_plan(con, grid_plan("syn", [1.1e9], [128e9], pairs + [{x: 1} for x in LANGS]), truth, noise=0.0)
    rng = np.random.default_rng(seed)
    mixes = [dict(zip(LANGS, rng.dirichlet(np.ones(3)).tolist())) for _ in range(mixtures)]
    simulate_plan(con, grid_plan("mix", [3e8, 2e9], [2e10, 1e11], mixes), truth, noise=0.002)
    fit_groups(con, kind="chinchilla", view="final_loss", where="study = 'mono'", group_expr="language",
               group_key="language", label_expr="language", n_expr=N_COLUMNS["params_non_embedding"],
               d_expr="tokens", settings=FitSettings(units="billions", grid="coarse", bootstrap=20), batch="mono",
               extra_settings={})  # fmt: skip
    fit_synergy(con, "study = 'syn'")
    return con


def dirichlet_mixtures(domains: list[str], count: int, seed: int, alpha: float = 1.0) -> list[dict[str, float]]:
    rng = np.random.default_rng(seed)
    return [dict(zip(domains, rng.dirichlet(np.full(len(domains), alpha)).tolist())) for _ in range(count)]
