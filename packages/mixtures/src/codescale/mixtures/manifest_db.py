"""The prepared corpus's facts as DuckDB tables (``manifest.duckdb``), for SQL next to the run results.

Tables: ``splits(language, split, documents, tokens, shard)``, ``parallel(language, documents, tokens, shard)``
and ``translation(direction, examples, file)``. They hold the same numbers as ``manifest.json``, which stays the
source of truth (the sampler reads the JSON); the database is written before the JSON so it is never missing from
a complete prepared corpus.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np


def write_manifest_db(path: Path, manifest: dict) -> None:
    root = path.parent
    con = duckdb.connect(str(path))
    try:
        con.execute("CREATE TABLE splits (language VARCHAR, split VARCHAR, documents BIGINT, tokens BIGINT, shard VARCHAR)")
        for lang, splits in manifest["languages"].items():
            for split, facts in splits.items():
                for shard in facts["shards"]:
                    con.execute("INSERT INTO splits VALUES (?, ?, ?, ?, ?)",
                                [lang, split, facts["documents"], facts["tokens"], shard])
        con.execute("CREATE TABLE parallel (language VARCHAR, documents BIGINT, tokens BIGINT, shard VARCHAR)")
        parallel = manifest.get("parallel") or {"shards": {}}
        for lang, shard in parallel["shards"].items():
            offsets = np.fromfile(root / Path(shard).with_suffix(".idx"), dtype=np.int64)
            documents = int(np.count_nonzero(np.diff(offsets)))
            con.execute("INSERT INTO parallel VALUES (?, ?, ?, ?)", [lang, documents, int(offsets[-1]), shard])
        con.execute("CREATE TABLE translation (direction VARCHAR, examples BIGINT, file VARCHAR)")
        for direction, facts in manifest["translation"].items():
            con.execute("INSERT INTO translation VALUES (?, ?, ?)", [direction, facts["examples"], facts["file"]])
    finally:
        con.close()
