"""The prepared-corpus manifest contract: cleaning counts round-trip, and manifests written before them still read."""

from __future__ import annotations

import json

from codescale.core.contracts import Cleaning, LanguageCleaning, PreparedManifest

OLD = {
    "format": "codescale.prepared/1",
    "catalog": "/data/catalog.yaml",
    "content_hash": "ab" * 32,
    "tokenizer": {"dir": "tokenizer", "sha256": "cd" * 32, "vocab_size": 4096, "bos_id": 0, "eos_id": 1, "pad_id": 2},
    "dtype": "uint16",
    "validation": {"fraction": 0.02},
    "languages": {
        "python": {
            "train": {"documents": 9, "tokens": 900, "shards": ["python/train-00000.bin"]},
            "valid": {"documents": 1, "tokens": 80, "shards": ["python/valid-00000.bin"]},
        }
    },
    "parallel": None,
    "translation": {},
}


def test_a_manifest_without_cleaning_reads_and_writes_back_unchanged_but_for_the_new_field(tmp_path):
    (tmp_path / "manifest.json").write_text(json.dumps(OLD))
    manifest = PreparedManifest.read_dir(tmp_path)
    assert manifest.cleaning is None and manifest.train_tokens("python") == 900
    assert json.loads(manifest.to_json()) == {**OLD, "cleaning": None}


def test_cleaning_counts_round_trip_in_field_order(tmp_path):
    cleaning = {
        "languages": {"python": LanguageCleaning(rows=12, bad_rows=1, empty=1, valid_documents=1).to_dict()},
        "unmapped_labels": {"Markdown": 3},
        "quarantine": {"file": "quarantine.jsonl", "rows": 1},
        "parallel_groups_decontaminated": 0,
        "dedup": {
            "exact": True,
            "near": True,
            "threshold": 0.7,
            "num_perm": 256,
            "bands": 25,
            "rows_per_band": 10,
            "ngram": 5,
            "across_languages": True,
        },
        "decontamination": {
            "enabled": True,
            "ngram": 13,
            "sources": ["codescale.mixtures.evalsets (built-in tasks)"],
            "ngrams": 9000,
        },
    }
    manifest = PreparedManifest.from_dict({**OLD, "cleaning": cleaning})
    assert isinstance(manifest.cleaning, Cleaning)
    assert manifest.cleaning.languages["python"].kept.tokens is None
    text = manifest.to_json()
    assert PreparedManifest.from_dict(json.loads(text)).to_json() == text
    assert list(json.loads(text)) == [*OLD, "cleaning"]
