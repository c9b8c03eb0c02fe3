"""The tokenizer's training sample: the same documents whatever the worker count, read once by the driver.

Per language, in catalog order (sources as listed, files sorted, rows in order), the first
``tokenizer.sample_documents_per_language`` documents that the prepared corpus could train on: they pass the
filters, share no n-gram with the evaluation texts, are not held out for validation and do not repeat an earlier
sample document exactly (near-duplicates are not looked for: that needs the whole corpus). A balanced sample — the
same number of documents from each language — keeps the vocabulary from favouring whichever language has the most
data. Bad rows stop the sample with ``--on-bad-row fail`` (the same error the units would raise) and are passed over
with ``skip``.
"""

from __future__ import annotations

import hashlib

import numpy as np

from codescale.core.catalog import Catalog
from codescale.mixtures.decontam import contaminated, evaluation_texts, translation_tasks
from codescale.mixtures.documents import LabelMap, Piece, read_piece
from codescale.mixtures.filters import filter_batch
from codescale.mixtures.shingles import TextBatch, ngrams, text_ngrams, words
from codescale.mixtures.work import held_out


def tokenizer_sample(catalog: Catalog, on_bad_row: str = "fail") -> list[str]:
    per_language = catalog.tokenizer.sample_documents_per_language
    evaluation = None
    if catalog.decontamination.enabled:
        evaluation = text_ngrams(
            evaluation_texts(catalog, *translation_tasks(catalog)).texts, catalog.decontamination.ngram
        )
    labels = LabelMap(catalog.label_map())
    max_row_bytes = 8 * catalog.filters.max_file_bytes + (1 << 16)
    samples: list[str] = []
    for lang in catalog.languages:
        seen: set[bytes] = set()
        taken: list[str] = []
        for source, paths in catalog.source_files(lang):
            for path in paths:
                piece = Piece(path, source.text_column, source.language_column, (lang,))
                reader = read_piece(piece, labels, max_row_bytes)
                try:
                    for batch in reader:
                        if batch.bad and on_bad_row == "fail":
                            raise batch.bad[0].to_error()
                        taken += _usable(batch.texts, batch.encoded, catalog, evaluation, seen)
                        if len(taken) >= per_language:
                            break
                finally:
                    reader.close()
                if len(taken) >= per_language:
                    break
            if len(taken) >= per_language:
                break
        samples += taken[:per_language]
    return samples


def _usable(
    texts: list[str], encoded: list[bytes], catalog: Catalog, evaluation: np.ndarray | None, seen: set[bytes]
) -> list[str]:
    if not texts:
        return []
    batch = TextBatch.of(encoded)
    keep = filter_batch(texts, batch, catalog.filters) == 0
    if evaluation is not None:
        grams, owner = ngrams(words(batch), catalog.decontamination.ngram)
        keep &= ~contaminated(grams, owner, len(texts), evaluation)
    usable = []
    for text, data, ok in zip(texts, encoded, keep):
        if not ok or held_out(data, catalog.validation.fraction):
            continue
        digest = hashlib.blake2b(data, digest_size=16).digest()
        if digest not in seen:
            seen.add(digest)
            usable.append(text)
    return usable
