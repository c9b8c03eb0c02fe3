"""Which candidate documents are duplicates: one DuckDB pass over every unit's metadata, in bounded memory.

The rule, over all languages' candidates in catalog order (``units.py``: a document's *position* is its segment
number times 2^32 plus its index in the segment), ignoring contaminated documents (they are dropped anyway):

- **exact duplicate**: its 128-bit content hash equals that of an earlier candidate;
- **near duplicate**: not an exact duplicate, and it shares an LSH band key (``minhash.py``) with an earlier candidate
  that is not an exact duplicate either. Documents too short to have a shingle never match.

With ``dedup.across_languages: false`` "earlier" means earlier in the same language. The first copy always stays, so
what is kept depends only on the corpus and the catalog, never on how the work was split. A near-duplicate chain
(A~B, B~C) drops B and C even if C is not similar to A: every dropped document is similar to something earlier.

Bounded memory: DuckDB reads the units' parquet files itself, aggregates with ``memory_limit`` =
``dedup.memory_gb`` and spills to a temporary directory under the work directory; the verdicts come back as a
stream sorted by position, read in chunks by the merge.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np

EXACT, NEAR = 1, 2
"""Verdict codes of a dropped document."""
SEGMENT_SHIFT = 32


def _sql_list(paths: list[Path]) -> str:
    return "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"


class DuplicateFinder:
    """The duplicate verdicts of a corpus, from the candidates' metadata files."""

    def __init__(
        self,
        meta_files: list[tuple[Path, int, int]],
        *,
        exact: bool,
        near: bool,
        bands: int,
        across_languages: bool,
        memory_gb: float,
        temp_dir: Path,
        threads: int,
    ) -> None:
        """``meta_files``: ``(t<k>.parquet, segment number, language index)`` of every segment."""
        import duckdb

        self.con = duckdb.connect()
        temp_dir.mkdir(parents=True, exist_ok=True)
        self.con.execute(f"SET memory_limit='{int(memory_gb * 1024)}MB'")
        self.con.execute(f"SET temp_directory='{str(temp_dir).replace(chr(39), chr(39) * 2)}'")
        self.con.execute(f"SET threads={max(1, threads)}")
        self.con.execute("SET preserve_insertion_order=false")
        self.exact, self.near, self.bands = exact, near, bands
        scope = "" if across_languages else "lang, "
        files = [f for f in meta_files if f[0].is_file()]
        self.empty = not files or not (exact or near)
        if self.empty:
            return
        self.con.execute("CREATE TEMP TABLE segments (filename VARCHAR, seg BIGINT, lang INTEGER)")
        self.con.executemany("INSERT INTO segments VALUES (?, ?, ?)", [(str(p), s, lang) for p, s, lang in files])
        band_columns = ", ".join(f"m.b{b}" for b in range(bands)) if near else ""
        self.con.execute(f"""
            CREATE TEMP TABLE docs AS
            SELECT (s.seg << {SEGMENT_SHIFT}) + m.file_row_number AS pos, s.lang, m.h1, m.h2
                   {", m.has_sig" if near else ""}{", " + band_columns if near else ""}
            FROM read_parquet({_sql_list([f[0] for f in files])}, filename=true, file_row_number=true) m
            JOIN segments s ON s.filename = m.filename
            WHERE NOT m.contaminated""")
        # exact duplicates: not the first position of their content hash
        self.con.execute(
            f"""
            CREATE TEMP TABLE exact AS
            SELECT d.pos FROM docs d
            JOIN (SELECT {scope}h1, h2, min(pos) AS first FROM docs GROUP BY ALL HAVING count(*) > 1) f
              USING ({scope}h1, h2)
            WHERE d.pos <> f.first"""
            if exact
            else "CREATE TEMP TABLE exact (pos BIGINT)"
        )
        if near:
            unions = " UNION ALL ".join(
                f"SELECT pos, {'lang, ' if scope else ''}{b} AS band, b{b} AS key FROM live" for b in range(bands)
            )
            self.con.execute(f"""
                CREATE TEMP TABLE near AS
                WITH live AS (SELECT * FROM docs WHERE has_sig AND pos NOT IN (SELECT pos FROM exact)),
                     keys AS ({unions}),
                     buckets AS (SELECT {scope}band, key, min(pos) AS first FROM keys GROUP BY ALL
                                 HAVING count(*) > 1)
                SELECT DISTINCT k.pos FROM keys k JOIN buckets b USING ({scope}band, key) WHERE k.pos > b.first""")
        else:
            self.con.execute("CREATE TEMP TABLE near (pos BIGINT)")

    def verdicts(self, chunk: int = 1 << 16) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """``(positions, codes)`` of every dropped candidate, sorted by position, in chunks."""
        if self.empty:
            return
        result = self.con.sql(f"""
            SELECT pos, {EXACT}::TINYINT AS code FROM exact
            UNION ALL SELECT pos, {NEAR}::TINYINT FROM near ORDER BY pos""")
        for batch in result.to_arrow_reader(chunk):
            yield (
                batch.column(0).to_numpy().astype(np.int64, copy=False),
                batch.column(1).to_numpy().astype(np.int8, copy=False),
            )

    def close(self) -> None:
        self.con.close()


class Verdicts:
    """The verdicts of one segment after another, from the sorted stream (segments asked for in increasing order)."""

    def __init__(self, stream: Iterator[tuple[np.ndarray, np.ndarray]]) -> None:
        self._stream = stream
        self._pos = np.zeros(0, dtype=np.int64)
        self._codes = np.zeros(0, dtype=np.int8)
        self._done = False

    def segment(self, seg: int, documents: int) -> np.ndarray:
        """int8 per document of segment ``seg``: 0 kept, :data:`EXACT` or :data:`NEAR`."""
        out = np.zeros(documents, dtype=np.int8)
        low, high = seg << SEGMENT_SHIFT, (seg + 1) << SEGMENT_SHIFT
        while True:
            if len(self._pos):
                take = self._pos < high
                mine = take & (self._pos >= low)
                out[self._pos[mine] - low] = self._codes[mine]
                if not take.all():
                    self._pos, self._codes = self._pos[~take], self._codes[~take]
                    return out
                self._pos, self._codes = self._pos[:0], self._codes[:0]
            if self._done:
                return out
            try:
                self._pos, self._codes = next(self._stream)
            except StopIteration:
                self._done = True
