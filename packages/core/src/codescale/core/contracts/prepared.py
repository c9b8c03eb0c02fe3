"""``PREPARED/manifest.json``: what a prepared corpus holds (``codescale.prepared/1``).

Written last by ``codescale data prepare`` (inside a staging directory renamed into place, so a directory without
it is not a prepared corpus); read by the compiler (vocabulary size, natural and temperature mixtures, data caps),
the sampler and the runner (shards, special tokens), and the laws' data caps — all through
:meth:`PreparedManifest.read_dir`. Paths inside are relative to the prepared directory.

``cleaning`` (added in ``codescale.prepared/1`` as an optional field, absent from corpora prepared before it) says
what the cleaning did per language: rows read, bad rows quarantined, documents dropped by each filter, by
decontamination and as exact or near duplicates, and what was kept; ``codescale data scan`` reports the same
:class:`LanguageCleaning` counts without tokenising.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from codescale.core.contracts.base import FORMATS, Contract


class TokenizerInfo(Contract):
    dir: str
    """Directory (relative) holding tokenizer.json + tokenizer_config.json, loadable by torchtitan."""
    sha256: str
    vocab_size: int
    bos_id: int | None
    eos_id: int | None
    pad_id: int | None


class SplitInfo(Contract):
    documents: int
    tokens: int
    """Tokens including each document's EOS."""
    shards: list[str]


class ValidationInfo(Contract):
    fraction: float


class ParallelInfo(Contract):
    """Groups of equivalent programs, one document per group and language."""

    groups: int
    train_groups: int
    file: str
    """``.npy`` of the groups none of whose programs is held out (the only ones paired in training)."""
    pivot: str
    languages: list[str]
    shards: dict[str, str]
    separators: dict[str, dict[str, list[int]]]
    """template -> direction -> the separator's token ids."""


class TranslationSet(Contract):
    examples: int
    file: str
    source: str
    """Where the examples came from (the catalog's translation_eval file, or the built-in tasks)."""


class Count(Contract):
    """Documents with their UTF-8 bytes and, once tokenised, their tokens (EOS included)."""

    documents: int = 0
    bytes: int = 0
    tokens: int | None = None
    """None where the documents were never tokenised (filtered ones, and everything in ``data scan``)."""


class LanguageCleaning(Contract):
    """One language's rows from source files to kept documents; every row is counted in exactly one place."""

    rows: int = 0
    """Rows of this language read (bad and empty ones included)."""
    bad_rows: int = 0
    """Rows that were not a text (quarantined with ``--on-bad-row skip``)."""
    empty: int = 0
    filtered: dict[str, Count] = {}
    """Filter name (the catalog's ``filters`` field) -> documents it dropped (each under the first filter it failed)."""
    decontaminated: Count = Count()
    exact_duplicates: Count = Count()
    near_duplicates: Count = Count()
    kept: Count = Count()
    """Training and validation documents written to the shards."""
    valid_documents: int = 0


class Quarantine(Contract):
    file: str | None
    """``quarantine.jsonl`` (one ``{"file", "row", "reason", "excerpt"}`` per skipped row), or None when empty."""
    rows: int


class DedupInfo(Contract):
    exact: bool
    near: bool
    threshold: float
    num_perm: int
    bands: int
    rows_per_band: int
    ngram: int
    across_languages: bool


class DecontaminationInfo(Contract):
    enabled: bool
    ngram: int
    sources: list[str]
    """Where the evaluation texts came from (the built-in tasks, the translation eval file, suites)."""
    ngrams: int
    """Distinct evaluation n-grams a training document must not share."""


class Cleaning(Contract):
    languages: dict[str, LanguageCleaning]
    unmapped_labels: dict[str, int]
    """Language-column values no catalog language or ``labels`` entry maps -> rows that carried them (unused)."""
    quarantine: Quarantine
    parallel_groups_decontaminated: int
    dedup: DedupInfo
    decontamination: DecontaminationInfo


class PreparedManifest(Contract):
    """A prepared corpus (contracts: ``manifest.json``)."""

    ARTIFACT = "prepared"

    format: str = FORMATS["prepared"]
    catalog: str
    content_hash: str
    tokenizer: TokenizerInfo
    dtype: Literal["uint16", "uint32"]
    validation: ValidationInfo
    languages: dict[str, dict[str, SplitInfo]]
    """language -> split (``train``, ``valid``) -> facts."""
    parallel: ParallelInfo | None
    translation: dict[str, TranslationSet]
    """``"src->tgt"`` -> the direction's examples."""
    cleaning: Cleaning | None = None
    """What cleaning dropped and kept per language (None in corpora prepared before cleaning existed)."""

    def to_json(self, *, compact: bool = False, indent: int = 2) -> str:
        return super().to_json(compact=compact, indent=indent)

    @classmethod
    def read_dir(cls, prepared: str | Path) -> PreparedManifest:
        """The manifest of the prepared corpus directory ``prepared``."""
        path = Path(prepared) / "manifest.json"
        if not path.is_file():
            raise _not_prepared(Path(prepared))
        return cls.read(path, hint="the prepared corpus is damaged; run `codescale data prepare` again")

    def train_tokens(self, language: str) -> int:
        return self.languages[language]["train"].tokens


def _not_prepared(path: Path):
    from codescale.core.errors import CodescaleError

    return CodescaleError(
        "not a prepared corpus (no manifest.json)",
        source=path,
        hint="run `codescale data prepare CATALOG -o DIR` first (an interrupted prepare leaves no manifest)",
    )
