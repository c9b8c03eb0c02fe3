"""``codescale data scan``: what a catalog's sources hold, counted by DuckDB without tokenising anything.

Per language: files, documents, empty documents, bytes of text, and duplicates — documents whose content hash
(md5 of the text) equals an earlier document's, within the language. DuckDB reads the jsonl / jsonl.gz / parquet
files directly (all of a source's files in one scan, in parallel), so scanning a Stack-v2-sized shard is I/O-bound.
A missing column or unreadable file becomes a CodescaleError naming the file and the column.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

from codescale.core.catalog import Catalog, Source, load_catalog
from codescale.core.domains import canonical
from codescale.core.errors import CodescaleError
from codescale.core.fmt import table


@dataclass
class LanguageScan:
    language: str
    files: int
    documents: int
    empty: int
    bytes: int
    duplicates: int

    def as_dict(self) -> dict:
        return asdict(self)


def scan_catalog(catalog_path: str | Path) -> list[LanguageScan]:
    catalog = load_catalog(catalog_path)
    con = duckdb.connect()
    try:
        return [_scan_language(con, catalog, lang) for lang in catalog.languages]
    finally:
        con.close()


def _relation(source: Source, files: list[Path]) -> str:
    paths = "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in files) + "]"
    if files[0].name.endswith(".parquet"):
        return f"read_parquet({paths})"
    return f"read_json({paths}, format='newline_delimited', union_by_name=true)"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _scan_language(con: duckdb.DuckDBPyConnection, catalog: Catalog, lang: str) -> LanguageScan:
    parts, n_files = [], 0
    for source, files in catalog.source_files(lang):
        n_files += len(files)
        for kind in (".parquet", ".jsonl"):
            group = [f for f in files if (f.name.endswith(".parquet")) == (kind == ".parquet")]
            if group:
                parts.append(_select(con, source, group, lang))
    query = f"""
        WITH docs AS ({' UNION ALL '.join(parts)})
        SELECT count(*), count(*) FILTER (WHERE text = ''), coalesce(sum(strlen(text)), 0),
               count(*) - count(DISTINCT md5(text))
        FROM docs"""
    try:
        documents, empty, n_bytes, duplicates = con.execute(query).fetchone() or (0, 0, 0, 0)  # always one row
    except duckdb.Error as err:
        sources = ", ".join(s.path for s in catalog.languages[lang].sources)
        raise catalog.error(("languages", lang, "sources"), f"DuckDB cannot read {sources}: "
                            f"{str(err).splitlines()[0]}", hint="check the files are complete and UTF-8") from None
    return LanguageScan(lang, n_files, int(documents), int(empty), int(n_bytes), int(duplicates))


def _select(con: duckdb.DuckDBPyConnection, source: Source, files: list[Path], lang: str) -> str:
    relation = _relation(source, files)
    try:
        columns = [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()]
    except duckdb.Error as err:
        raise CodescaleError(f"DuckDB cannot read it: {str(err).splitlines()[0]}", source=files[0],
                             hint="check the file is complete, UTF-8, and one JSON object per line") from None
    for column in [source.text_column] + ([source.language_column] if source.language_column else []):
        if column not in columns:
            raise CodescaleError(f"no column {column!r}; the files have {', '.join(columns)}", source=files[0],
                                 field=column, hint="set text_column / language_column in the catalog")
    where = ""
    if source.language_column:
        values = con.execute(f"SELECT DISTINCT CAST({_quote(source.language_column)} AS VARCHAR) FROM {relation}").fetchall()
        keep = []
        for (value,) in values:
            try:
                if value is not None and canonical(value) == lang:
                    keep.append(value)
            except CodescaleError:
                continue
        listed = ", ".join("'" + v.replace("'", "''") + "'" for v in keep) or "NULL"
        where = f" WHERE CAST({_quote(source.language_column)} AS VARCHAR) IN ({listed})"
    return f"SELECT CAST({_quote(source.text_column)} AS VARCHAR) AS text FROM {relation}{where}"


def render_table(rows: list[LanguageScan]) -> str:
    header = ("language", "files", "documents", "empty", "MB", "duplicates")
    cells = [(r.language, r.files, f"{r.documents:,}", f"{r.empty:,}", f"{r.bytes / 1e6:,.2f}", f"{r.duplicates:,}")
             for r in rows]
    return table(header, cells, right=range(1, len(header)))
