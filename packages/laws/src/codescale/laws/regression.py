"""The ``regression`` mixture "law": gradient-boosted trees from proportions to each domain's loss (RegMix-style).

Not a functional form: one scikit-learn ``HistGradientBoostingRegressor`` per evaluated domain, from the training
proportions (plus log N and log D when they vary in the fitted runs) to the domain's final loss -- the non-parametric
baseline of RegMix (Liu et al. 2024), which used LightGBM. We use scikit-learn's histogram GBT (the same algorithm
family as LightGBM): it is the better-kept of the two for this purpose, its wheels ship their own OpenMP runtime
(LightGBM's need the system's libgomp), and it is pinned in ``packages/laws/pyproject.toml``.

Settings (stored with the fit): 40 boosting iterations, learning rate 0.2, at most 8 leaves per tree, at least 5
runs per leaf, 32 bins, no early stopping, fixed ``random_state``, one thread (on the RegMix-shaped look-alike these
rank held-out mixtures as well as 1,000 iterations at rate 0.01 with 31 leaves, 180x cheaper) -- deterministic, so a stored
regression fit is reloaded by refitting on the runs it lists (trees are not stored). The bootstrap refits on the
same resamplings of runs the parametric laws use (each run repeated by its count); its members give the allocation's interval.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from codescale.laws.mixdata import MixtureData
from codescale.laws.mixlaws import Inputs

HYPERPARAMETERS = {"max_iter": 40, "learning_rate": 0.2, "max_leaf_nodes": 8, "min_samples_leaf": 5,
                   "max_bins": 32, "early_stopping": False, "l2_regularization": 0.0}  # fmt: skip


@dataclass
class RegressionLaw:
    train_domains: list[str]
    eval_domains: list[str]
    use_n: bool
    use_d: bool
    seed: int = 0
    models: dict[str, Any] = field(default_factory=dict)  # target -> fitted HistGradientBoostingRegressor
    draws: dict[str, list] = field(default_factory=dict)  # target -> bootstrap models (None = not fitted)
    name: str = "regression"

    @classmethod
    def for_data(cls, data: MixtureData, seed: int = 0) -> RegressionLaw:
        return cls(data.train_domains, data.eval_domains, bool(np.ptp(data.n) > 0), bool(np.ptp(data.d) > 0), seed)

    def settings(self) -> dict:
        return {"train_domains": self.train_domains, "eval_domains": self.eval_domains, "use_n": self.use_n,
                "use_d": self.use_d, "seed": self.seed, "model": "sklearn HistGradientBoostingRegressor",
                "hyperparameters": HYPERPARAMETERS}  # fmt: skip

    def targets(self) -> list[str]:
        return list(self.eval_domains)

    def features(self, x: Inputs) -> np.ndarray:
        cols = [x.p]
        if self.use_n:
            cols.append(np.log(x.n)[:, None])
        if self.use_d:
            cols.append(np.log(x.d)[:, None])
        return np.hstack(cols)

    def _model(self):
        from sklearn.ensemble import HistGradientBoostingRegressor

        return HistGradientBoostingRegressor(random_state=self.seed, **HYPERPARAMETERS)

    def fit(self, data: MixtureData, counts: np.ndarray | None = None) -> list[str]:
        """Fit one model per evaluated domain (and one per bootstrap resampling); returns warnings."""
        import sklearn.ensemble  # noqa: F401 - load its OpenMP runtime first, so that the limit below reaches it
        from threadpoolctl import threadpool_limits

        warnings = []
        features = self.features(Inputs.of(data))
        with threadpool_limits(1):
            for j, target in enumerate(self.eval_domains):
                y = data.loss[:, j]
                ok = np.isfinite(y)
                if ok.sum() < 2 * HYPERPARAMETERS["min_samples_leaf"]:
                    warnings.append(f"{target}: only {int(ok.sum())} runs, too few for the trees; not predicted")
                    continue
                self.models[target] = self._model().fit(features[ok], y[ok])
                if counts is not None:
                    members = []
                    rows = np.flatnonzero(ok)
                    for row in counts:
                        # a bootstrap sample is the runs repeated by their counts (sample weights would do the
                        # same and cost scikit-learn 5x more)
                        pick = np.repeat(rows, row[rows])
                        members.append(self._model().fit(features[pick], y[pick]))
                    self.draws[target] = members
        return warnings

    def predict(self, x: Inputs) -> dict[str, np.ndarray]:
        from threadpoolctl import threadpool_limits

        features = self.features(x)
        out = {}
        with threadpool_limits(1):  # OpenMP threads on a busy machine: 20x slower than one thread
            for target in self.eval_domains:
                model = self.models.get(target)
                out[target] = model.predict(features) if model is not None else np.full(len(x.n), np.nan)
        return out

    def n_draws(self) -> int:
        return min((len(v) for v in self.draws.values()), default=0)

    def predict_draw(self, b: int, x: Inputs) -> dict[str, np.ndarray]:
        from threadpoolctl import threadpool_limits

        features = self.features(x)
        with threadpool_limits(1):
            return {t: self.draws[t][b].predict(features) for t in self.eval_domains if t in self.draws}
