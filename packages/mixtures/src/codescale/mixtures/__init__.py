"""codescale.mixtures: corpus catalog -> tokenizer -> token shards -> exact-quota mixture batches.

In: a corpus catalog (``catalog.yaml``: JSONL/parquet sources per language, an optional parallel corpus), or nothing
for ``codescale data generate``, which writes a synthetic parallel corpus and its catalog. At training time, a run's
``mixture.json``. Out: a prepared corpus directory (tokenizer, memmap shards, eval sets, ``manifest.json``) and,
from the sampler, packed batches with exact per-language quotas.

Torch-free (numpy only). The entry points other packages use (contracts §2):

- :func:`prepare` (``codescale data prepare``): tokenise a catalog's corpus into a prepared directory;
- :class:`PreparedCorpus`: read one back (validation batches, translation examples, token arrays);
- :class:`MixtureSampler`: packed training batches with exact per-language quotas and parallel pairing.

Attributes are imported lazily so ``import codescale.mixtures.synthetic`` does not load tokenizers or DuckDB.
"""

from __future__ import annotations

from typing import Any

_EXPORTS = {
    "PreparedCorpus": "codescale.mixtures.corpus",
    "IGNORE_INDEX": "codescale.mixtures.corpus",
    "MixtureSampler": "codescale.mixtures.sampler",
    "Batch": "codescale.mixtures.sampler",
    "prepare": "codescale.mixtures.prepare",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'codescale.mixtures' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)


__all__ = list(_EXPORTS)
