"""Reading rows out of a catalog's source files: texts, language labels and bad rows, in batches of bounded size.

A source file is The Stack v2's layout in small: rows with a text column (``content`` by default) and optionally a
language column. ``.jsonl`` / ``.jsonl.gz`` are read line by line (a row is named by its line), ``.parquet`` by row
groups (a row is named by its 1-based row number). A work unit reads one piece of a file (``units.py``: a byte range
of a ``.jsonl`` cut at line starts, a whole ``.jsonl.gz``, a range of parquet row groups) for every catalog
language that lists the file (its *targets*): a row goes to the target its language label maps to
(:class:`LabelMap`), or to every target when the source has no language column.

**Bad rows.** A row whose text is not a text — a missing key, ``null``, a number, bytes that are not UTF-8,
unpaired surrogate escapes, a line that is not a JSON object, a line longer than the reader's limit — is a
:class:`BadRow` with the file, the row and a short excerpt; the caller either stops with its error
(``--on-bad-row fail``) or quarantines it (``skip``). A file that cannot be read at all (a truncated gzip, a parquet
without the column) is always an error. Empty texts are counted, not kept.

**Bounded memory.** Batches hold at most :data:`BATCH_BYTES` of text (or one larger document) and
:data:`BATCH_DOCUMENTS` documents; a ``.jsonl`` line longer than ``max_row_bytes`` is never read into memory whole
(it is skipped in pieces and reported as a bad row). A parquet row group's text column is what pyarrow reads at once.
"""

from __future__ import annotations

import functools
import gzip
import json
from collections import Counter
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from codescale.core.domains import canonical
from codescale.core.errors import CodescaleError

BATCH_BYTES = 1 << 20
"""Text per batch: large enough that per-batch costs vanish, small enough that a worker's memory stays flat."""
BATCH_DOCUMENTS = 1024
EXCERPT = 60
"""Characters of a bad row quoted in errors and in the quarantine file."""
_PIECE = 1 << 16


def excerpt(value: object, around: int | None = None) -> str:
    """A short, one-line quote of ``value`` (bytes or text), centred on ``around`` when given."""
    if isinstance(value, bytes | bytearray):
        start = max(0, (around or 0) - EXCERPT // 2) if around is not None else 0
        piece = bytes(value[start : start + EXCERPT])
        text = piece.decode("utf-8", "backslashreplace")
    else:
        text, start = str(value), 0
        if around is not None:
            start = max(0, around - EXCERPT // 2)
        text = text[start : start + EXCERPT]
    text = text.encode("unicode_escape").decode("ascii")[:EXCERPT]
    more = len(value) > start + EXCERPT if hasattr(value, "__len__") else False
    return ("..." if start else "") + text + ("..." if more else "")


@dataclass
class BadRow:
    """One row that is not a document; ``to_error`` is what ``--on-bad-row fail`` raises."""

    path: Path
    row: int
    unit: str
    """``line`` (jsonl: ``row`` is the line number) or ``row`` (parquet row number)."""
    reason: str
    field: str | None = None
    column: int | None = None
    hint: str | None = None
    quoted: str | None = None
    target: int = -1
    """The target language this row was read for, -1 when its label could not be read."""

    def to_error(self) -> CodescaleError:
        where = "" if self.unit == "line" else f"row {self.row}: "
        near = f" (near {self.quoted!r})" if self.quoted else ""
        return CodescaleError(
            f"{where}{self.reason}{near}",
            source=self.path,
            line=self.row if self.unit == "line" else None,
            column=self.column,
            field=self.field,
            hint=self.hint,
        )

    def quarantine_line(self, relative: str) -> str:
        """One line of ``quarantine.jsonl``: file (relative to the catalog), line or row, reason, excerpt."""
        return (
            json.dumps(
                {
                    "file": relative,
                    self.unit: self.row,
                    "reason": self.reason,
                    "excerpt": self.quoted or "",
                    "field": self.field,
                    "column": self.column,
                    "hint": self.hint,
                }
            )
            + "\n"
        )

    @classmethod
    def from_quarantine(cls, entry: dict, path: Path) -> BadRow:
        unit = "line" if "line" in entry else "row"
        return cls(
            path,
            entry[unit],
            unit,
            entry["reason"],
            entry.get("field"),
            entry.get("column"),
            entry.get("hint"),
            entry.get("excerpt") or None,
        )


@dataclass
class RowBatch:
    """Documents of one batch (text, UTF-8 bytes, row number, target) plus what else the rows held."""

    texts: list[str] = field(default_factory=list)
    encoded: list[bytes] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    targets: list[int] = field(default_factory=list)
    bad: list[BadRow] = field(default_factory=list)
    rows_read: Counter = field(default_factory=Counter)
    """target -> rows read for it (bad and empty included)."""
    empty: Counter = field(default_factory=Counter)
    unmapped: Counter = field(default_factory=Counter)
    """language label no catalog language takes -> rows."""
    size: int = 0

    def full(self) -> bool:
        return self.size >= BATCH_BYTES or len(self.texts) >= BATCH_DOCUMENTS


class LabelMap:
    """Language label -> catalog language: the catalog's ``labels`` first, then language names and aliases."""

    def __init__(self, labels: dict[str, str | None]) -> None:
        self.labels = {key.strip().lower(): value for key, value in labels.items()}

    @functools.lru_cache(maxsize=4096)  # noqa: B019 - one LabelMap per unit; labels are few
    def language(self, label: str) -> tuple[str | None, bool]:
        """``(language, known)``: known is False for a label neither ``labels`` nor the language table knows."""
        key = label.strip().lower()
        if key in self.labels:
            return self.labels[key], True
        try:
            return canonical(key), True
        except CodescaleError:
            return None, False


@dataclass(frozen=True)
class Piece:
    """What one work unit reads: a file, its columns, a range, and the catalog languages reading it."""

    path: Path
    text_column: str
    language_column: str | None
    targets: tuple[str, ...]
    start: int = 0
    """jsonl: first byte (a line start); parquet: first row group."""
    stop: int | None = None
    """jsonl: byte where the piece ends (None: end of file); parquet: row group after the last."""
    first_row: int = 1
    """Line (jsonl) or row (parquet) number of the first row of the piece."""


def read_piece(piece: Piece, labels: LabelMap, max_row_bytes: int) -> Generator[RowBatch, None, None]:
    """Batches of the piece's rows (a generator: ``close()`` it to release the file early)."""
    if piece.path.name.endswith(".parquet"):
        yield from _parquet_batches(piece, labels)
    else:
        yield from _jsonl_batches(piece, labels, max_row_bytes)


class _Rows:
    """Routes one row to its targets, building batches."""

    def __init__(self, piece: Piece, labels: LabelMap, unit: str) -> None:
        self.piece, self.labels, self.unit = piece, labels, unit
        self.batch = RowBatch()
        self.all_targets = list(range(len(piece.targets)))

    def targets_of(self, label: object) -> list[int]:
        if self.piece.language_column is None:
            return self.all_targets
        text = "" if label is None else str(label)
        lang, known = self.labels.language(text)
        if lang is None:
            if not known:
                self.batch.unmapped[text if label is not None else "<null>"] += 1
            return []
        return [i for i, target in enumerate(self.piece.targets) if target == lang]

    def bad(self, row: int, reason: str, targets: list[int] | None = None, **details) -> None:
        if targets is None:  # a row whose label could not be read belongs to a language only in a one-language file
            single = self.piece.language_column is None and len(self.all_targets) == 1
            targets = self.all_targets if single else [-1]
        for target in targets[:1]:
            self.batch.bad.append(BadRow(self.piece.path, row, self.unit, reason, target=target, **details))
            if target >= 0:
                self.batch.rows_read[target] += 1

    def text(self, row: int, value: object, targets: list[int]) -> None:
        """Add a row's text value for ``targets`` (or record why it is not a text)."""
        column = self.piece.text_column
        if isinstance(value, bytes):
            try:
                value = value.decode("utf-8")
            except UnicodeDecodeError as err:
                self.bad(
                    row,
                    f"bytes {err.start}-{err.end} are not UTF-8",
                    targets,
                    field=column,
                    hint="re-encode the text as UTF-8 or drop the row (--on-bad-row skip quarantines it)",
                    quoted=excerpt(value, err.start),
                )
                return
        if not isinstance(value, str):
            kind = "null" if value is None else type(value).__name__
            self.bad(
                row,
                f"{column!r} is {kind}, expected text",
                targets,
                field=column,
                hint="drop the row (--on-bad-row skip quarantines it) or point text_column at the code",
                quoted=None if value is None else excerpt(repr(value)),
            )
            return
        if not value:
            for target in targets:
                self.batch.rows_read[target] += 1
                self.batch.empty[target] += 1
            return
        try:
            encoded = value.encode("utf-8")
        except UnicodeEncodeError as err:
            self.bad(
                row,
                f"characters {err.start}-{err.end} are unpaired surrogates, not Unicode text",
                targets,
                field=column,
                hint="fix the escapes (e.g. \\ud800) in the source or drop the row",
                quoted=excerpt(value, err.start),
            )
            return
        for target in targets:
            self.batch.rows_read[target] += 1
            self.batch.texts.append(value)
            self.batch.encoded.append(encoded)
            self.batch.rows.append(row)
            self.batch.targets.append(target)
            self.batch.size += len(encoded)

    def take(self) -> RowBatch:
        batch, self.batch = self.batch, RowBatch()
        return batch


_MISSING = object()


def _jsonl_lines(piece: Piece, max_row_bytes: int) -> Iterator[tuple[int, bytes | None, int]]:
    """``(line number, raw line or None when too long, its length)`` of the piece's non-blank lines."""
    opener = gzip.open if piece.path.name.endswith(".gz") else open
    number = piece.first_row - 1
    try:
        with opener(piece.path, "rb") as handle:
            if piece.start:
                handle.seek(piece.start)
            position = piece.start
            while piece.stop is None or position < piece.stop:
                raw = handle.readline(max_row_bytes + 1)
                if not raw:
                    break
                number += 1
                length = len(raw)
                if length > max_row_bytes and not raw.endswith(b"\n"):
                    while True:  # skip the rest of an over-long line without holding it
                        more = handle.readline(_PIECE)
                        length += len(more)
                        if not more or more.endswith(b"\n"):
                            break
                    position += length
                    yield number, None, length
                    continue
                position += length
                if raw.strip():
                    yield number, raw, length
    except (OSError, EOFError, gzip.BadGzipFile) as err:
        raise CodescaleError(f"cannot read file: {err}", source=piece.path, hint="check the file is complete") from None


def _jsonl_batches(piece: Piece, labels: LabelMap, max_row_bytes: int) -> Iterator[RowBatch]:
    rows = _Rows(piece, labels, "line")
    column, label_column = piece.text_column, piece.language_column
    for number, raw, length in _jsonl_lines(piece, max_row_bytes):
        if raw is None:
            rows.bad(
                number,
                f"the line is {length:,} bytes, over the reader's limit of {max_row_bytes:,}",
                hint="raise filters.max_file_bytes (the limit is 8x it) or split the row",
            )
        else:
            try:
                row = json.loads(raw)
            except UnicodeDecodeError as err:
                rows.bad(
                    number,
                    f"bytes {err.start}-{err.end} are not UTF-8 ({err.reason})",
                    hint="re-encode the file as UTF-8 or drop the line (--on-bad-row skip quarantines it)",
                    quoted=excerpt(raw, err.start),
                )
                row = None
            except json.JSONDecodeError as err:
                rows.bad(
                    number,
                    f"not a JSON object ({err.msg})",
                    column=err.colno,
                    hint="each line must be one JSON object",
                    quoted=excerpt(raw),
                )
                row = None
            if row is not None and not isinstance(row, dict):
                rows.bad(number, "not a JSON object", hint="each line must be one JSON object", quoted=excerpt(raw))
            elif row is not None:
                targets = rows.targets_of(row.get(label_column)) if label_column else rows.all_targets
                if targets:
                    value = row.get(column, _MISSING)
                    if value is _MISSING:
                        rows.bad(
                            number,
                            f"no {column!r} key",
                            targets,
                            field=column,
                            hint="set text_column in the catalog to the key that holds the code",
                            quoted=excerpt(raw),
                        )
                    else:
                        rows.text(number, value, targets)
        if rows.batch.full():
            yield rows.take()
    yield rows.take()


def _parquet_batches(piece: Piece, labels: LabelMap) -> Iterator[RowBatch]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(piece.path)
    except (OSError, pa.ArrowException) as err:
        raise CodescaleError(
            f"not a readable parquet file ({err})", source=piece.path, hint="check the file is complete"
        ) from None
    schema = parquet.schema_arrow
    columns = [piece.text_column] + ([piece.language_column] if piece.language_column else [])
    for column in columns:
        if column not in schema.names:
            raise CodescaleError(
                f"no column {column!r}; the file has {', '.join(schema.names)}",
                source=piece.path,
                field=column,
                hint="set text_column / language_column in the catalog to existing columns",
            )
    kind = schema.field(piece.text_column).type
    if not (
        pa.types.is_string(kind)
        or pa.types.is_large_string(kind)
        or pa.types.is_binary(kind)
        or pa.types.is_large_binary(kind)
    ):
        raise CodescaleError(
            f"column {piece.text_column!r} holds {kind}, not text",
            source=piece.path,
            field=piece.text_column,
            hint="point text_column at the column holding the code",
        )
    stop = parquet.num_row_groups if piece.stop is None else piece.stop
    rows = _Rows(piece, labels, "row")
    row = piece.first_row
    try:
        for record_batch in parquet.iter_batches(
            batch_size=BATCH_DOCUMENTS, columns=columns, row_groups=list(range(piece.start, stop))
        ):
            texts = record_batch.column(0)
            if pa.types.is_string(texts.type) or pa.types.is_large_string(texts.type):
                try:
                    texts.validate(full=True)
                    values = texts.to_pylist()
                except (pa.ArrowInvalid, UnicodeDecodeError):  # invalid UTF-8: read bytes, name the rows
                    values = [v.as_buffer().to_pybytes() if v.is_valid else None for v in texts]
            else:
                values = texts.to_pylist()
            row_labels = record_batch.column(1).to_pylist() if piece.language_column else None
            for i, value in enumerate(values):
                targets = rows.targets_of(row_labels[i]) if row_labels is not None else rows.all_targets
                if targets:
                    rows.text(row + i, value, targets)
                if rows.batch.full():
                    yield rows.take()
            row += len(values)
    except (OSError, pa.ArrowException) as err:
        raise CodescaleError(
            f"cannot read parquet row group near row {row} ({err})",
            source=piece.path,
            hint="check the file is complete",
        ) from None
    yield rows.take()


def read_jsonl_objects(
    path: Path, *, start: int = 0, stop: int | None = None, first_line: int = 1
) -> Iterator[tuple[int, dict | BadRow]]:
    """``(line number, object)`` of each non-blank line of a JSONL file (parallel groups, eval tasks) or of a byte
    range of it; a line that is not a JSON object is a :class:`BadRow` in its place."""
    piece = Piece(path, "", None, (), start, stop, first_line)
    for number, raw, length in _jsonl_lines(piece, 1 << 62):
        if raw is None:  # over the 2**62-byte reader limit
            yield number, BadRow(path, number, "line", f"the line is {length:,} bytes", hint="split the row")
            continue
        try:
            row = json.loads(raw)
        except UnicodeDecodeError as err:
            yield (
                number,
                BadRow(
                    path,
                    number,
                    "line",
                    f"bytes {err.start}-{err.end} are not UTF-8",
                    hint="re-encode the file as UTF-8",
                    quoted=excerpt(raw, err.start),
                ),
            )
            continue
        except json.JSONDecodeError as err:
            yield (
                number,
                BadRow(
                    path,
                    number,
                    "line",
                    f"not a JSON object ({err.msg})",
                    column=err.colno,
                    hint="each line must be one JSON object",
                    quoted=excerpt(raw),
                ),
            )
            continue
        if not isinstance(row, dict):
            yield (
                number,
                BadRow(
                    path,
                    number,
                    "line",
                    "not a JSON object",
                    hint="each line must be one JSON object",
                    quoted=excerpt(raw),
                ),
            )
            continue
        yield number, row


def read_json_rows(path: Path) -> Iterator[tuple[int, dict]]:
    """Every object of a small JSONL file, failing at the first bad line (eval tasks, suites)."""
    for number, row in read_jsonl_objects(path):
        if isinstance(row, BadRow):
            raise row.to_error()
        yield number, row
