"""Reading documents out of a catalog's source files, in batches, with errors that point at the bad line.

A source file is The Stack v2's layout in small: rows with a text column (``content`` by default) and optionally a
language column. ``.jsonl`` / ``.jsonl.gz`` are read line by line (so an error names the line), ``.parquet`` in
record batches (an error names the row). A row is kept when its language column, if the source has one, names the
language being read (any alias). Empty documents are skipped; everything else that is not a text — a missing key,
``null``, a number, bytes that are not UTF-8, a line that is not JSON — stops the read with a CodescaleError naming
the file, the line or row, the column and what to do.
"""

from __future__ import annotations

import functools
import gzip
import json
import queue
import threading
from collections.abc import Generator, Iterator
from contextlib import closing
from pathlib import Path
from typing import TypeVar

from codescale.core.catalog import Source
from codescale.core.domains import canonical
from codescale.core.errors import CodescaleError

BATCH_DOCUMENTS = 2048
T = TypeVar("T")


def read_documents(source: Source, path: Path, lang: str, batch_size: int = BATCH_DOCUMENTS) -> Iterator[list[str]]:
    """Batches of document texts of ``lang`` from one file of ``source``."""
    if path.name.endswith(".parquet"):
        yield from _parquet_batches(source, path, lang, batch_size)
    else:
        yield from _jsonl_batches(source, path, lang, batch_size)


def _keep(value: object, lang: str) -> bool:
    return value is not None and _language_of(str(value)) == lang


@functools.lru_cache(maxsize=4096)
def _language_of(label: str) -> str | None:
    try:
        return canonical(label)
    except CodescaleError:
        return None  # a row of a language codescale does not know (The Stack has hundreds): not this language


def _jsonl_batches(source: Source, path: Path, lang: str, batch_size: int) -> Iterator[list[str]]:
    batch: list[str] = []
    # closing(): a consumer that stops early (read_ahead) closes the file now, not when the reader is collected.
    with closing(read_jsonl_objects(path, corpus=True)) as rows:
        for number, row in rows:
            if source.language_column is not None and not _keep(row.get(source.language_column), lang):
                continue
            text = _text(row.get(source.text_column, _MISSING), source, path, number, "line")
            if text:
                batch.append(text)
                if len(batch) >= batch_size:
                    yield batch
                    batch = []
    if batch:
        yield batch


_MISSING = object()


def _text(value: object, source: Source, path: Path, number: int, unit: str) -> str:
    """The document text of one row; ``unit`` is "line" (jsonl: located by line) or "row" (parquet: named)."""
    line = number if unit == "line" else None
    where = "" if unit == "line" else f"row {number}: "
    column = source.text_column
    if value is _MISSING:
        raise CodescaleError(f"{where}no {column!r} key", source=path, line=line, field=column,
                             hint="set text_column in the catalog to the key that holds the code")
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError as err:
            raise CodescaleError(f"{where}bytes {err.start}-{err.end} are not UTF-8", source=path, line=line,
                                 field=column, hint="re-encode the text as UTF-8 or drop the row") from None
    if not isinstance(value, str):
        kind = "null" if value is None else type(value).__name__
        raise CodescaleError(f"{where}{column!r} is {kind}, expected text", source=path, line=line, field=column,
                             hint="drop the row or point text_column at the column holding the code")
    return value


def _parquet_batches(source: Source, path: Path, lang: str, batch_size: int) -> Iterator[list[str]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except (OSError, pa.ArrowException) as err:
        raise CodescaleError(f"not a readable parquet file ({err})", source=path,
                             hint="check the file is complete") from None
    names = parquet.schema_arrow.names
    columns = [source.text_column] + ([source.language_column] if source.language_column else [])
    for column in columns:
        if column not in names:
            raise CodescaleError(
                f"no column {column!r}; the file has {', '.join(names)}", source=path, field=column,
                hint="set text_column / language_column in the catalog to existing columns",
            )
    row = 0
    try:
        for record_batch in parquet.iter_batches(batch_size=batch_size, columns=columns):
            texts_column = record_batch.column(0)
            keep = None
            if source.language_column is not None:
                labels = record_batch.column(1).to_pylist()
                keep = [_keep(v, lang) for v in labels]
            if pa.types.is_string(texts_column.type) or pa.types.is_large_string(texts_column.type):
                try:
                    texts_column.validate(full=True)
                    values = texts_column.to_pylist()
                except (pa.ArrowInvalid, UnicodeDecodeError):
                    values = [v.as_buffer().to_pybytes() if v.is_valid else None for v in texts_column]
            else:
                values = texts_column.to_pylist()
            batch = []
            for i, value in enumerate(values):
                if keep is not None and not keep[i]:
                    continue
                text = _text(value, source, path, row + i + 1, "row")
                if text:
                    batch.append(text)
            row += len(values)
            if batch:
                yield batch
    except (OSError, pa.ArrowException) as err:
        raise CodescaleError(f"cannot read parquet row group near row {row + 1} ({err})", source=path,
                             hint="check the file is complete") from None


def read_jsonl_objects(path: Path, *, corpus: bool = False) -> Generator[tuple[int, dict], None, None]:
    """(line number, object) for each non-blank line of a small JSONL file (parallel groups, eval tasks), or of a
    catalog source file with ``corpus``: a bad line there may be dropped, and its UTF-8 error says so."""
    opener = gzip.open if path.name.endswith(".gz") else open
    try:
        with opener(path, "rb") as handle:
            for number, raw in enumerate(handle, start=1):
                if not raw.strip():
                    continue
                try:
                    row = json.loads(raw)
                except UnicodeDecodeError as err:
                    detail, hint = (f" ({err.reason})", " or drop the line") if corpus else ("", "")
                    raise CodescaleError(f"bytes {err.start}-{err.end} are not UTF-8{detail}", source=path,
                                         line=number, hint=f"re-encode the file as UTF-8{hint}") from None
                except json.JSONDecodeError as err:
                    raise CodescaleError(f"not a JSON object ({err.msg})", source=path, line=number,
                                         column=err.colno, hint="each line must be one JSON object") from None
                if not isinstance(row, dict):
                    raise CodescaleError("not a JSON object", source=path, line=number,
                                         hint="each line must be one JSON object")
                yield number, row
    except (OSError, EOFError, gzip.BadGzipFile) as err:
        raise CodescaleError(f"cannot read file: {err}", source=path, hint="check the file is complete") from None


class _Failure:
    def __init__(self, error: BaseException) -> None:
        self.error = error


_DONE = object()


def read_ahead(batches: Iterator[T], depth: int = 2) -> Iterator[T]:
    """Run ``batches`` in a background thread, ``depth`` items ahead, so parsing overlaps tokenisation.

    An error in the reader is raised here, in the consumer; closing the consumer (or an error in it) stops and
    joins the reader, which closes its files.
    """
    items: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                items.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def run() -> None:
        try:
            for item in batches:
                if not put(item):
                    break
            else:
                put(_DONE)
        except BaseException as err:  # handed to the consumer, which re-raises it
            put(_Failure(err))
        finally:
            close = getattr(batches, "close", None)
            if close is not None:
                close()

    reader = threading.Thread(target=run, name="codescale-read-ahead", daemon=True)
    reader.start()
    try:
        while True:
            item = items.get()
            if item is _DONE:
                return
            if isinstance(item, _Failure):
                raise item.error
            yield item
    finally:
        stop.set()
        reader.join()
