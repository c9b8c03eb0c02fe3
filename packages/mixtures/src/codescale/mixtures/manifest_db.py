"""The prepared corpus's facts as DuckDB tables (``manifest.duckdb``), for SQL next to the run results.

Tables: ``splits(language, split, documents, tokens, shard)``, ``parallel(language, documents, tokens, shard)``,
``translation(direction, examples, file, source)`` and ``cleaning(language, stage, documents, bytes, tokens)`` —
one row per language and stage (``rows``, ``bad_rows``, ``empty``, each filter, ``decontaminated``,
``exact_duplicates``, ``near_duplicates``, ``kept``; tokens null where nothing was tokenised). They hold the same
numbers as ``manifest.json`` (:class:`~codescale.core.contracts.PreparedManifest`), which stays the source of truth
(the sampler reads the JSON); the database is written before the JSON so it is never missing from a complete
prepared corpus. It is written from the :class:`~codescale.core.contracts.PreparedManifest` model, never from a
hand-built dict.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np

from codescale.core.contracts import PreparedManifest


def write_manifest_db(path: Path, manifest: PreparedManifest) -> None:
    root = path.parent
    con = duckdb.connect(str(path))
    try:
        con.execute(
            "CREATE TABLE splits (language VARCHAR, split VARCHAR, documents BIGINT, tokens BIGINT, shard VARCHAR)"
        )
        for lang, splits in manifest.languages.items():
            for split, facts in splits.items():
                for shard in facts.shards:
                    con.execute(
                        "INSERT INTO splits VALUES (?, ?, ?, ?, ?)", [lang, split, facts.documents, facts.tokens, shard]
                    )
        con.execute("CREATE TABLE parallel (language VARCHAR, documents BIGINT, tokens BIGINT, shard VARCHAR)")
        shards = manifest.parallel.shards if manifest.parallel is not None else {}
        for lang, shard in shards.items():
            offsets = np.fromfile(root / Path(shard).with_suffix(".idx"), dtype=np.int64)
            documents = int(np.count_nonzero(np.diff(offsets)))
            con.execute("INSERT INTO parallel VALUES (?, ?, ?, ?)", [lang, documents, int(offsets[-1]), shard])
        con.execute("CREATE TABLE translation (direction VARCHAR, examples BIGINT, file VARCHAR, source VARCHAR)")
        for direction, facts in manifest.translation.items():
            con.execute(
                "INSERT INTO translation VALUES (?, ?, ?, ?)", [direction, facts.examples, facts.file, facts.source]
            )
        con.execute(
            "CREATE TABLE cleaning (language VARCHAR, stage VARCHAR, documents BIGINT, bytes BIGINT, tokens BIGINT)"
        )
        for lang, facts in manifest.cleaning.languages.items() if manifest.cleaning else ():
            rows: list[tuple[str, str, int, int | None, int | None]] = [
                (lang, "rows", facts.rows, None, None),
                (lang, "bad_rows", facts.bad_rows, None, None),
                (lang, "empty", facts.empty, None, None),
            ]
            rows += [(lang, name, c.documents, c.bytes, c.tokens) for name, c in facts.filtered.items()]
            for stage in ("decontaminated", "exact_duplicates", "near_duplicates", "kept"):
                count = getattr(facts, stage)
                rows.append((lang, stage, count.documents, count.bytes, count.tokens))
            con.executemany("INSERT INTO cleaning VALUES (?, ?, ?, ?, ?)", rows)
    finally:
        con.close()
