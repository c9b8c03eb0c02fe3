"""Splitting a catalog into work units: pieces of files that workers process independently, and the order they merge in.

The model. Every language's documents form one stream in *catalog order*: the language's sources in the order the
catalog lists them, each source's files sorted by path, each file from its first row to its last. That stream is
cut into **segments** — (language, source, file, piece of the file) — numbered in that order over all languages;
segment numbers are what "earlier" means for deduplication (the first copy is kept) and the order shards are merged
in, so the output is the same whatever ran where.

A **work unit** reads one piece of one file once: a byte range of a ``.jsonl`` (cut at a line start after every
``unit_bytes``), a whole ``.jsonl.gz`` (gzip cannot be entered in the middle), or a range of parquet row groups of
about ``unit_bytes`` uncompressed. When several catalog languages list the same file (The Stack's mixed parquet with a
language column), one unit serves all of them and writes one segment per language. The parallel corpus is cut the
same way into parallel units.

Identity. Planning reads every input file once (sha256, and the line offsets of ``.jsonl`` cuts on the way). A unit's
``key`` hashes what its output depends on — the file's digest, the piece, the columns and languages, the cleaning
settings, the tokenizer — so a unit finished by an earlier prepare (or an earlier array task) is found again and not
redone, even after an unrelated file changed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from pathlib import Path

from codescale.core.catalog import Catalog
from codescale.mixtures.documents import Piece

UNIT_BYTES = 64 << 20
"""Input bytes per work unit (uncompressed for parquet): a minute or so of one worker's time."""
_BLOCK = 1 << 20


@dataclass(frozen=True)
class Segment:
    index: int
    language: str
    source: int
    file: Path


@dataclass(frozen=True)
class Unit:
    kind: str
    """``documents`` or ``parallel``."""
    piece: Piece
    digest: str
    """sha256 of the whole file."""
    segments: tuple[int, ...] = ()
    """Segment number of each target language (documents units)."""
    key: str = ""

    def with_key(self, settings: str) -> Unit:
        identity = {
            "kind": self.kind,
            "digest": self.digest,
            "start": self.piece.start,
            "stop": self.piece.stop,
            "first_row": self.piece.first_row,
            "text_column": self.piece.text_column,
            "language_column": self.piece.language_column,
            "targets": list(self.piece.targets),
            "settings": settings,
        }
        key = hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:24]
        return replace(self, key=key)


@dataclass
class Layout:
    segments: list[Segment]
    units: list[Unit]
    digests: dict[Path, str]
    """sha256 of every input file read by units."""


@dataclass(frozen=True)
class _FilePlan:
    digest: str
    pieces: tuple[tuple[int, int | None, int], ...]
    """(start, stop, first row) of each piece."""


def _plan_file(path: Path, unit_bytes: int) -> _FilePlan:
    name = path.name
    if name.endswith(".parquet"):
        return _plan_parquet(path, unit_bytes)
    digest = hashlib.sha256()
    if name.endswith(".gz"):
        with open(path, "rb") as handle:
            digest.update(hashlib.file_digest(handle, "sha256").digest())
        return _FilePlan(digest.hexdigest(), ((0, None, 1),))
    cuts = [(0, 1)]  # (byte, line number) where pieces start
    newlines = 0
    offset = 0
    next_cut = unit_bytes
    with open(path, "rb") as handle:
        while block := handle.read(_BLOCK):
            digest.update(block)
            end = offset + len(block)
            while next_cut - 1 < end:
                found = block.find(b"\n", max(0, next_cut - 1 - offset))
                if found < 0:
                    next_cut = end + 1  # the line goes on in the next block
                    break
                cut = offset + found + 1
                cuts.append((cut, newlines + block.count(b"\n", 0, found + 1) + 1))
                next_cut = cut + unit_bytes
            newlines += block.count(b"\n")
            offset = end
    cuts = [c for c in cuts if c[0] < offset or c == (0, 1)]
    pieces = tuple((start, cuts[i + 1][0] if i + 1 < len(cuts) else None, line) for i, (start, line) in enumerate(cuts))
    return _FilePlan(digest.hexdigest(), pieces)


def _plan_parquet(path: Path, unit_bytes: int) -> _FilePlan:
    with open(path, "rb") as handle:
        digest = hashlib.file_digest(handle, "sha256").hexdigest()
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        metadata = pq.ParquetFile(path).metadata
    except (OSError, pa.ArrowException):  # unreadable: one piece, whose reader reports the error
        return _FilePlan(digest, ((0, None, 1),))
    pieces, start, size, row, first = [], 0, 0, 1, 1
    for group in range(metadata.num_row_groups):
        size += metadata.row_group(group).total_byte_size
        row += metadata.row_group(group).num_rows
        if size >= unit_bytes or group == metadata.num_row_groups - 1:
            pieces.append((start, group + 1, first))
            start, size, first = group + 1, 0, row
    return _FilePlan(digest, tuple(pieces) or ((0, None, 1),))


def plan_units(catalog: Catalog, unit_bytes: int = UNIT_BYTES) -> Layout:
    """Segments and units of the catalog's sources and parallel corpus (unit keys not yet set)."""
    files: dict[Path, _FilePlan] = {}

    def file_plan(path: Path) -> _FilePlan:
        if path not in files:
            files[path] = _plan_file(path, unit_bytes)
        return files[path]

    segments: list[Segment] = []
    readers: dict[tuple, list[tuple[str, list[int]]]] = {}  # (file, columns) -> [(language, its segments)]
    for lang in catalog.languages:
        for index, (source, paths) in enumerate(catalog.source_files(lang)):
            for path in paths:
                plan = file_plan(path)
                numbers = list(range(len(segments), len(segments) + len(plan.pieces)))
                segments.extend(Segment(n, lang, index, path) for n in numbers)
                readers.setdefault((path, source.text_column, source.language_column), []).append((lang, numbers))
    units: list[Unit] = []
    for (path, text_column, language_column), targets in readers.items():
        plan = files[path]
        languages = tuple(lang for lang, _ in targets)
        for i, (start, stop, first) in enumerate(plan.pieces):
            piece = Piece(path, text_column, language_column, languages, start, stop, first)
            units.append(Unit("documents", piece, plan.digest, tuple(numbers[i] for _, numbers in targets)))
    units.sort(key=lambda u: u.segments[0])
    if catalog.parallel is not None:
        path = catalog.file_path(("parallel", "path"), catalog.parallel.path)
        for start, stop, first in file_plan(path).pieces:
            units.append(
                Unit(
                    "parallel", Piece(path, "", None, tuple(catalog.languages), start, stop, first), files[path].digest
                )
            )
    return Layout(segments, units, {path: plan.digest for path, plan in files.items()})
