"""``mixture.json``: the sampler manifest of one run (``codescale.mixture/1``).

Written by ``codescale compile`` beside ``run.json``; read by the runner's data loader (the
``MixtureDataLoader.Config.manifest`` of the compiled job) and by ``codescale.mixtures.MixtureSampler``. It is the
run seen from the data side: languages in index order, exact token quotas, the pool sizes of forced repetition,
the pairing, and the prepared corpus to draw from.
"""

from __future__ import annotations

from codescale.core.contracts.base import FORMATS, Contract
from codescale.core.contracts.run import Number, PairingPlan, Run


class MixtureManifest(Contract):
    """A run's data plan (contracts: ``mixture.json``)."""

    ARTIFACT = "mixture"

    format: str = FORMATS["mixture"]
    run_id: str
    languages: list[str]
    proportions: dict[str, Number]
    tokens_per_language: dict[str, int]
    total_tokens: int
    seq_len: int
    global_batch_size: int
    seed: int
    max_epochs: dict[str, Number | None]
    unique_tokens_per_language: dict[str, int] = {}
    """Pool size of each language with forced repetition (``mixture.repeat``); absent: no repetition forced."""
    pairing: PairingPlan
    prepared: str | None
    """The prepared corpus directory the sampler reads."""

    @classmethod
    def for_run(cls, run: Run, unique_tokens_per_language: dict[str, int]) -> MixtureManifest:
        return cls(
            run_id=run.run_id,
            languages=list(run.languages),
            proportions=dict(run.mixture.proportions),
            tokens_per_language=dict(run.mixture.tokens_per_language),
            total_tokens=run.training.tokens,
            seq_len=run.training.seq_len,
            global_batch_size=run.training.global_batch_size,
            seed=run.training.seed,
            max_epochs=dict(run.mixture.max_epochs),
            unique_tokens_per_language=unique_tokens_per_language,
            pairing=run.pairing,
            prepared=run.corpus.prepared,
        )
