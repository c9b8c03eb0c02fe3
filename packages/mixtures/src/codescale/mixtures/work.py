"""One work unit, start to finish: read a piece of a file, clean it, sign it, tokenise it, write it down.

What a unit writes (``WORK/units/<key>/``, see ``units.py`` for keys):

- ``unit.json``: per target language the rows read, bad and empty rows, documents and bytes dropped by each filter,
  the candidates kept for the merge; language labels nobody takes; CPU seconds per stage (for benchmarks);
- per target ``t<k>.parquet``: one row per candidate document, in source order — ``held_out`` (the validation split,
  a hash of the text), ``contaminated`` (shares an n-gram with the evaluation texts), ``h1``/``h2`` (128-bit content
  hash), ``has_sig`` and ``b0..`` (MinHash LSH band keys), ``bytes``, ``tokens`` — which is all the duplicate
  search (``dedup.py``) and the merge (``merge.py``) need;
- per target ``t<k>.bin``/``.idx``: the candidates' tokens, EOS after each (absent when only scanning);
- parallel units instead: ``p-<lang>.bin``/``.idx`` (one document per group, empty where the group lacks the
  language) and ``groups.parquet`` (``held_out``, ``contaminated``);
- ``quarantine.jsonl``: the bad rows skipped (``--on-bad-row skip``).

Failure model: everything goes to ``units/.<key>.tmp-<pid>`` and is renamed to ``units/<key>`` once complete, so a
unit directory is whole or absent. A worker killed halfway leaves only its temporary directory, removed by the next
prepare, which redoes that unit; a unit directory already there (an earlier run, another array task) is reused as it
is. With ``--on-bad-row fail`` the first bad row stops the unit with its CodescaleError.

A worker is one process on one core: the tokenizer runs single-threaded (``TOKENIZERS_PARALLELISM=false``, set by the
executors before it is loaded), since parallelism comes from running many workers.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import numpy as np

from codescale.core.catalog import Filters
from codescale.core.errors import CodescaleError
from codescale.mixtures.documents import BadRow, LabelMap, RowBatch, read_jsonl_objects, read_piece
from codescale.mixtures.filters import FILTERS, filter_batch
from codescale.mixtures.minhash import LshParameters, band_keys, shingle_hash32, signatures
from codescale.mixtures.shingles import TextBatch, Words, ngrams, words
from codescale.mixtures.units import Unit

WORK_FORMAT = "codescale.prepare-unit/1"
_HASH_SCALE = float(1 << 64)
_PARALLEL_BATCH = 256


def held_out(encoded: bytes, fraction: float) -> bool:
    """The validation split: a document is held out when the hash of its UTF-8 text falls below ``fraction``."""
    digest = hashlib.blake2b(encoded, digest_size=8).digest()
    return int.from_bytes(digest, "little") / _HASH_SCALE < fraction


@dataclass(frozen=True)
class WorkSettings:
    """Everything a worker needs besides the unit (picklable; travels to Slurm array tasks)."""

    base_dir: str
    """The catalog's directory: quarantine entries name files relative to it."""
    filters: Filters
    labels: dict[str, str | None]
    fraction: float
    on_bad_row: str
    near: LshParameters | None
    shingle_words: int
    decontam_words: int
    eval_ngrams: str | None
    """``.npy`` of the evaluation n-gram hashes (None: decontamination off)."""
    eval_digest: str
    tokenizer: object | None
    """``tokenizer.TokenizerInfo`` (None: scan, nothing is tokenised)."""
    dtype: str
    pivot: str | None
    languages: tuple[str, ...]

    @property
    def max_row_bytes(self) -> int:
        return 8 * self.filters.max_file_bytes + (1 << 16)

    def key(self, kind: str) -> str:
        """What a ``kind`` unit's output depends on besides its piece of file (``on_bad_row`` only decides whether
        to stop, so a unit finished under ``skip`` is reused under ``fail`` only if it quarantined nothing)."""
        identity = {
            "format": WORK_FORMAT,
            "kind": kind,
            "fraction": self.fraction,
            "decontam": [self.decontam_words, self.eval_digest] if self.eval_ngrams else None,
            "tokenizer": getattr(self.tokenizer, "sha256", None),
            "dtype": self.dtype,
        }
        if kind == "documents":
            identity |= {
                "filters": self.filters.model_dump(mode="json"),
                "labels": self.labels,
                "shingles": self.shingle_words if self.near else None,
                "lsh": [self.near.num_perm, self.near.bands, self.near.rows] if self.near else None,
                "max_row_bytes": self.max_row_bytes,
            }
        else:
            identity |= {"pivot": self.pivot, "languages": list(self.languages)}
        return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()


@dataclass
class _Target:
    language: str
    rows: int = 0
    bad_rows: int = 0
    empty: int = 0
    filtered: dict[str, list[int]] = field(default_factory=lambda: {name: [0, 0] for name in FILTERS})
    candidates: int = 0
    bytes: int = 0
    meta: dict[str, list[np.ndarray]] = field(default_factory=dict)

    def add(self, **columns: np.ndarray) -> None:
        for name, values in columns.items():
            self.meta.setdefault(name, []).append(values)


class _Clock:
    def __init__(self) -> None:
        self.seconds: defaultdict[str, float] = defaultdict(float)
        self._last = time.process_time()

    def lap(self, stage: str) -> None:
        now = time.process_time()
        self.seconds[stage] += now - self._last
        self._last = now


def unit_dir(units: Path, unit: Unit) -> Path:
    return units / unit.key


def is_done(units: Path, unit: Unit) -> bool:
    return (unit_dir(units, unit) / "unit.json").is_file()


def run_unit(unit: Unit, settings: WorkSettings, units: Path) -> dict:
    """Process ``unit`` into ``units/<key>`` unless it is there already; return its ``unit.json``."""
    final = unit_dir(units, unit)
    if (final / "unit.json").is_file():
        summary = json.loads((final / "unit.json").read_text())
        if settings.on_bad_row == "fail" and summary.get("quarantined"):
            _first_quarantined(final, unit)
        return summary
    tmp = units / f".{unit.key}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        summary = (_documents if unit.kind == "documents" else _parallel)(unit, settings, tmp)
        (tmp / "unit.json").write_text(json.dumps(summary, indent=1) + "\n")
        try:
            os.rename(tmp, final)
        except OSError:  # finished meanwhile by someone else (a second array task): theirs is as good
            if not (final / "unit.json").is_file():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return summary


def _first_quarantined(folder: Path, unit: Unit) -> None:
    """A unit finished under ``--on-bad-row skip`` met with ``fail``: stop at its first bad row."""
    with open(folder / "quarantine.jsonl", encoding="utf-8") as handle:
        raise BadRow.from_quarantine(json.loads(handle.readline()), unit.piece.path).to_error()


class _Quarantine:
    def __init__(self, path: Path, settings: WorkSettings) -> None:
        self.path, self.settings, self.rows = path, settings, 0
        self._handle: TextIO | None = None

    def add(self, bad: BadRow) -> None:
        if self.settings.on_bad_row == "fail":
            raise bad.to_error()
        if self._handle is None:
            self._handle = open(self.path, "w", encoding="utf-8")
        base = Path(self.settings.base_dir)
        name = str(bad.path.relative_to(base)) if bad.path.is_relative_to(base) else str(bad.path)
        self._handle.write(bad.quarantine_line(name))
        self.rows += 1

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()


def _encoder(settings: WorkSettings):
    return None if settings.tokenizer is None else _load_encoder(settings.tokenizer)


@functools.lru_cache(maxsize=2)
def _load_encoder(info):
    """The document encoder, loaded once per worker process (units of one prepare share it)."""
    from codescale.mixtures.tokenizer import document_encoder

    return document_encoder(info)


@functools.lru_cache(maxsize=2)
def _evaluation_ngrams(path: str | None, digest: str, words: int) -> np.ndarray | None:
    """The evaluation n-grams, loaded once per worker process (the texts' digest and the n-gram size tell a
    rewritten file apart)."""
    return None if path is None else np.load(path)


def _token_arrays(encodings: list, dtype: np.dtype) -> tuple[np.ndarray, np.ndarray]:
    from itertools import chain

    lengths = np.fromiter(map(len, encodings), dtype=np.int64, count=len(encodings))
    flat = np.fromiter(chain.from_iterable(e.ids for e in encodings), dtype=dtype, count=int(lengths.sum()))
    return flat, lengths


def _documents(unit: Unit, settings: WorkSettings, out: Path) -> dict:
    from codescale.mixtures.shards import ShardWriter

    clock = _Clock()
    encoder = _encoder(settings)
    dtype = np.dtype(settings.dtype)
    evaluation = _evaluation_ngrams(settings.eval_ngrams, settings.eval_digest, settings.decontam_words)
    targets = [_Target(lang) for lang in unit.piece.targets]
    writers = [ShardWriter(out / f"t{k}", dtype) for k in range(len(targets))] if encoder else []
    quarantine = _Quarantine(out / "quarantine.jsonl", settings)
    unmapped: Counter = Counter()
    try:
        for batch in read_piece(unit.piece, LabelMap(settings.labels), settings.max_row_bytes):
            clock.lap("read")
            _count_rows(batch, targets, quarantine, unmapped)
            if batch.texts:
                _clean_batch(batch, settings, targets, writers, encoder, dtype, evaluation, clock)
    except BaseException:
        for writer in writers:
            writer.abort()
        raise
    finally:
        quarantine.close()
    for writer in writers:
        writer.close()
    clock.lap("write")
    for k, target in enumerate(targets):
        _write_meta(out / f"t{k}.parquet", target.meta, settings)
    clock.lap("write")
    return {
        "format": WORK_FORMAT,
        "key": unit.key,
        "kind": unit.kind,
        "targets": [
            {
                "language": t.language,
                "rows": t.rows,
                "bad_rows": t.bad_rows,
                "empty": t.empty,
                "filtered": t.filtered,
                "candidates": t.candidates,
                "bytes": t.bytes,
            }
            for t in targets
        ],
        "unmapped": dict(sorted(unmapped.items())),
        "quarantined": quarantine.rows,
        "cpu": {k: round(v, 4) for k, v in sorted(clock.seconds.items())},
    }


def _count_rows(batch: RowBatch, targets: list[_Target], quarantine: _Quarantine, unmapped: Counter) -> None:
    for bad in batch.bad:
        quarantine.add(bad)
        if bad.target >= 0:
            targets[bad.target].bad_rows += 1
    for k, n in batch.rows_read.items():
        targets[k].rows += n
    for k, n in batch.empty.items():
        targets[k].empty += n
    unmapped.update(batch.unmapped)


def _clean_batch(
    batch: RowBatch,
    settings: WorkSettings,
    targets: list[_Target],
    writers: list,
    encoder,
    dtype: np.dtype,
    evaluation: np.ndarray | None,
    clock: _Clock,
) -> None:
    text_batch = TextBatch.of(batch.encoded)
    reasons = filter_batch(batch.texts, text_batch, settings.filters)
    owner = np.asarray(batch.targets, dtype=np.int64)
    sizes = text_batch.lengths
    for k, target in enumerate(targets):
        mine = owner == k
        for index, name in enumerate(FILTERS):
            dropped = mine & (reasons == index + 1)
            if dropped.any():
                target.filtered[name][0] += int(dropped.sum())
                target.filtered[name][1] += int(sizes[dropped].sum())
    keep = reasons == 0
    clock.lap("filter")
    if not keep.any():
        return
    kept = text_batch.subset(keep)
    texts = [t for t, k in zip(batch.texts, keep) if k]
    encoded = [e for e, k in zip(batch.encoded, keep) if k]
    owner = owner[keep]
    n = len(texts)
    # no words when neither decontamination nor near-duplicate detection reads them
    found = (
        words(kept)
        if evaluation is not None or settings.near is not None
        else Words(np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64))
    )
    dirty = np.zeros(n, dtype=bool)
    if evaluation is not None:
        from codescale.mixtures.decontam import contaminated

        grams, grams_owner = ngrams(found, settings.decontam_words)
        dirty = contaminated(grams, grams_owner, n, evaluation)
    clock.lap("decontaminate")
    columns: dict[str, np.ndarray] = {}
    if settings.near is not None:
        grams, grams_owner = ngrams(found, settings.shingle_words)
        sigs = signatures(shingle_hash32(grams), grams_owner, n, settings.near)
        keys = band_keys(sigs, settings.near)
        columns["has_sig"] = np.bincount(grams_owner, minlength=n) > 0
        for b in range(keys.shape[1]):
            columns[f"b{b}"] = keys[:, b]
    clock.lap("minhash")
    digests = np.frombuffer(b"".join(hashlib.blake2b(e, digest_size=16).digest() for e in encoded), dtype=np.uint64)
    columns["h1"], columns["h2"] = digests[0::2], digests[1::2]
    columns["held_out"] = np.fromiter((held_out(e, settings.fraction) for e in encoded), dtype=bool, count=n)
    columns["contaminated"] = dirty
    columns["bytes"] = kept.lengths
    clock.lap("hash")
    lengths = None
    if encoder is not None:
        encodings = encoder.encode_batch_fast(texts)
        clock.lap("tokenize")
        flat, lengths = _token_arrays(encodings, dtype)
        columns["tokens"] = lengths
        ends = np.cumsum(lengths)
    for k, target in enumerate(targets):
        mine = np.flatnonzero(owner == k)
        if len(mine) == 0:
            continue
        target.candidates += len(mine)
        whole = len(mine) == n
        target.bytes += int(columns["bytes"].sum() if whole else columns["bytes"][mine].sum())
        target.add(**{name: values if whole else values[mine] for name, values in columns.items()})
        if lengths is not None:
            if len(mine) == n:
                writers[k].append(flat, lengths)
            else:
                pieces = [flat[ends[i] - lengths[i] : ends[i]] for i in mine]
                writers[k].append(np.concatenate(pieces), lengths[mine])
    clock.lap("write")


def _write_meta(path: Path, meta: dict[str, list[np.ndarray]], settings: WorkSettings) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    types = {
        "held_out": pa.bool_(),
        "contaminated": pa.bool_(),
        "h1": pa.uint64(),
        "h2": pa.uint64(),
        "bytes": pa.int64(),
    }
    if settings.tokenizer is not None:
        types["tokens"] = pa.int64()
    if settings.near is not None:
        types["has_sig"] = pa.bool_()
        types.update({f"b{b}": pa.uint64() for b in range(settings.near.bands)})
    arrays = []
    for name, kind in types.items():
        parts = meta.get(name)
        arrays.append(
            pa.array(np.concatenate(parts) if parts else np.zeros(0, dtype=kind.to_pandas_dtype()), type=kind)
        )
    pq.write_table(pa.table(arrays, names=list(types)), path)


def _parallel(unit: Unit, settings: WorkSettings, out: Path) -> dict:
    """Parallel groups of one piece of the parallel corpus: tokenised per language, flagged when held out or
    contaminated (the merge drops contaminated groups and pairs only groups none of whose programs is held out)."""
    from codescale.mixtures.decontam import contaminated, task_languages
    from codescale.mixtures.shards import ShardWriter

    encoder = _encoder(settings)
    dtype = np.dtype(settings.dtype)
    evaluation = _evaluation_ngrams(settings.eval_ngrams, settings.eval_digest, settings.decontam_words)
    languages = settings.languages
    writers = {lang: ShardWriter(out / f"p-{lang}", dtype) for lang in languages} if encoder else {}
    quarantine = _Quarantine(out / "quarantine.jsonl", settings)
    held: list[np.ndarray] = []
    dirty: list[np.ndarray] = []
    present: set[str] = set()
    pivot = settings.pivot
    piece = unit.piece

    def flush(groups: list[dict[str, str]]) -> None:
        if not groups:
            return
        programs = [(g, text) for g, group in enumerate(groups) for text in group.values()]
        encoded = [text.encode("utf-8", "surrogatepass") for _, text in programs]
        owner = np.array([g for g, _ in programs], dtype=np.int64)
        program_held = np.fromiter((held_out(e, settings.fraction) for e in encoded), dtype=bool, count=len(encoded))
        held.append(np.bincount(owner[program_held], minlength=len(groups)) > 0)
        group_dirty = np.zeros(len(groups), dtype=bool)
        if evaluation is not None:
            grams, grams_owner = ngrams(words(TextBatch.of(encoded)), settings.decontam_words)
            hit = contaminated(grams, grams_owner, len(encoded), evaluation)
            group_dirty[owner[hit]] = True
        dirty.append(group_dirty)
        for lang, writer in writers.items():
            flat, lengths = _token_arrays(
                encoder.encode_batch_fast([g.get(lang, "") for g in groups], add_special_tokens=False), dtype
            )
            writer.append(flat, lengths)

    groups: list[dict[str, str]] = []
    try:
        for number, row in read_jsonl_objects(
            piece.path, start=piece.start, stop=piece.stop, first_line=piece.first_row
        ):
            if isinstance(row, BadRow):
                quarantine.add(row)
                continue
            try:
                group = {
                    lang: text
                    for lang, text in task_languages(row, piece.path, number).items()
                    if lang in languages and text
                }
                for text in group.values():
                    text.encode("utf-8")
            except CodescaleError as err:
                quarantine.add(BadRow(piece.path, number, "line", err.message, field=err.field, hint=err.hint))
                continue
            except UnicodeEncodeError as err:
                quarantine.add(
                    BadRow(
                        piece.path,
                        number,
                        "line",
                        "a program holds unpaired surrogates, not Unicode",
                        hint="fix the escapes or drop the group",
                        quoted=str(err)[:60],
                    )
                )
                continue
            if pivot not in group:
                quarantine.add(
                    BadRow(
                        piece.path,
                        number,
                        "line",
                        f"group {row.get('id', number)!r} has no {pivot} program (the pivot)",
                        field=pivot,
                        hint=f"add the {pivot} implementation or drop the group",
                    )
                )
                continue
            present.update(group)
            groups.append(group)
            if len(groups) >= _PARALLEL_BATCH:
                flush(groups)
                groups = []
        flush(groups)
    except BaseException:
        for writer in writers.values():
            writer.abort()
        raise
    finally:
        quarantine.close()
    for writer in writers.values():
        writer.close()
    import pyarrow as pa
    import pyarrow.parquet as pq

    held_all = np.concatenate(held) if held else np.zeros(0, dtype=bool)
    dirty_all = np.concatenate(dirty) if dirty else np.zeros(0, dtype=bool)
    pq.write_table(pa.table({"held_out": held_all, "contaminated": dirty_all}), out / "groups.parquet")
    return {
        "format": WORK_FORMAT,
        "key": unit.key,
        "kind": unit.kind,
        "groups": int(len(held_all)),
        "contaminated": int(dirty_all.sum()),
        "languages": [lang for lang in languages if lang in present],
        "quarantined": quarantine.rows,
    }
