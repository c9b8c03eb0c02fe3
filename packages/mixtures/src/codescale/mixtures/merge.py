"""Merging finished units into the prepared corpus: one train and one valid shard per language, in catalog order.

Per language, segment by segment in catalog order (``units.py``), each candidate document of the segment's unit is
dropped when it is contaminated or a duplicate (the verdict stream of ``dedup.py``, consumed in the same order), and
otherwise appended to the language's ``train`` or ``valid`` shard by its ``held_out`` flag. Tokens are copied as
slices of the unit's memmapped shard, a bounded number at a time, so the merge's memory does not grow with the
corpus. The counts it makes on the way — kept, decontaminated, exact and near duplicates, in documents, bytes and
tokens — complete the unit's own counts (rows, bad rows, empties, filters) into the manifest's ``cleaning``.

Without tokens (``data scan``) the same walk only counts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from codescale.core.contracts.prepared import Count, LanguageCleaning
from codescale.mixtures.dedup import EXACT, NEAR, Verdicts
from codescale.mixtures.filters import FILTERS
from codescale.mixtures.units import Layout, Unit

COPY_TOKENS = 1 << 22
"""Most tokens copied at once (8 MiB of uint16)."""


def _read_columns(path: Path, names: list[str]) -> dict[str, np.ndarray]:
    import pyarrow.parquet as pq

    table = pq.read_table(path, columns=[n for n in names if n in pq.read_schema(path).names])
    return {name: table.column(name).to_numpy() for name in table.column_names}


def _add(count: Count, documents: int, size: int, tokens: int | None) -> None:
    count.documents += documents
    count.bytes += size
    if tokens is not None:
        count.tokens = (count.tokens or 0) + tokens


@dataclass
class LanguageOutput:
    cleaning: LanguageCleaning
    splits: dict[str, dict] = field(default_factory=dict)
    """``train``/``valid`` -> {"documents", "tokens", "shards"} (empty when only counting)."""


def _copy(writer, tokens: np.ndarray, offsets: np.ndarray, chosen: np.ndarray) -> None:
    """Append the documents ``chosen`` (sorted indices) of a unit shard, as runs of consecutive documents."""
    if len(chosen) == 0:
        return
    breaks = np.flatnonzero(np.diff(chosen) != 1) + 1
    for run in np.split(chosen, breaks):
        first = 0
        while first < len(run):  # split a run so one copy stays under COPY_TOKENS (one document at least)
            last = int(np.searchsorted(offsets[run[first:] + 1], offsets[run[first]] + COPY_TOKENS, side="right"))
            last = first + max(1, last)
            a, b = int(run[first]), int(run[last - 1]) + 1
            writer.append(np.asarray(tokens[offsets[a] : offsets[b]]), np.diff(offsets[a : b + 1]))
            first = last


def merge_documents(
    layout: Layout, units_dir: Path, verdicts: Verdicts, staging: Path | None, dtype: np.dtype, languages: list[str]
) -> dict[str, LanguageOutput]:
    """Walk every segment in order; write shards under ``staging`` (None: count only)."""
    from codescale.mixtures.shards import ShardWriter

    targets: dict[int, tuple[Unit, int]] = {}
    for unit in layout.units:
        for k, seg in enumerate(unit.segments):
            targets[seg] = (unit, k)
    summaries: dict[str, dict] = {}
    outputs: dict[str, LanguageOutput] = {}
    for lang in languages:
        cleaning = LanguageCleaning(filtered={name: Count() for name in FILTERS})
        writers = (
            {split: ShardWriter(staging / lang / f"{split}-00000", dtype) for split in ("train", "valid")}
            if staging is not None
            else {}
        )
        try:
            for segment in (s for s in layout.segments if s.language == lang):
                unit, k = targets[segment.index]
                folder = units_dir / unit.key
                if unit.key not in summaries:
                    summaries[unit.key] = json.loads((folder / "unit.json").read_text())
                facts = summaries[unit.key]["targets"][k]
                cleaning.rows += facts["rows"]
                cleaning.bad_rows += facts["bad_rows"]
                cleaning.empty += facts["empty"]
                for name, (documents, size) in facts["filtered"].items():
                    _add(cleaning.filtered[name], documents, size, None)
                _merge_segment(folder, k, segment.index, facts["candidates"], verdicts, cleaning, writers)
        except BaseException:
            for writer in writers.values():
                writer.abort()
            raise
        splits = {}
        if staging is not None:  # counting only (no staging) has no writers
            for split, writer in writers.items():
                writer.close()
                splits[split] = {
                    "documents": writer.documents,
                    "tokens": writer.tokens,
                    "shards": [str(writer.bin_path.relative_to(staging))],
                }
        outputs[lang] = LanguageOutput(cleaning, splits)
    return outputs


def _merge_segment(
    folder: Path, k: int, seg: int, candidates: int, verdicts: Verdicts, cleaning: LanguageCleaning, writers: dict
) -> None:
    meta = _read_columns(folder / f"t{k}.parquet", ["held_out", "contaminated", "bytes", "tokens"])
    verdict = verdicts.segment(seg, candidates)
    sizes = meta["bytes"]
    tokens = meta.get("tokens")

    def count(target: Count, mask: np.ndarray) -> None:
        _add(target, int(mask.sum()), int(sizes[mask].sum()), int(tokens[mask].sum()) if tokens is not None else None)

    dirty = meta["contaminated"]
    count(cleaning.decontaminated, dirty)
    count(cleaning.exact_duplicates, ~dirty & (verdict == EXACT))
    count(cleaning.near_duplicates, ~dirty & (verdict == NEAR))
    kept = ~dirty & (verdict == 0)
    count(cleaning.kept, kept)
    valid = kept & meta["held_out"]
    cleaning.valid_documents += int(valid.sum())
    if writers:
        from codescale.mixtures.shards import Shard

        shard = Shard(folder / f"t{k}.bin", writers["train"].dtype)
        _copy(writers["train"], shard.tokens, shard.offsets, np.flatnonzero(kept & ~meta["held_out"]))
        _copy(writers["valid"], shard.tokens, shard.offsets, np.flatnonzero(valid))


@dataclass
class ParallelOutput:
    groups: int
    contaminated: int
    languages: list[str]
    shards: dict[str, str]
    train_groups: np.ndarray


def merge_parallel(
    units: list[Unit], units_dir: Path, staging: Path | None, dtype: np.dtype, languages: list[str]
) -> ParallelOutput:
    """Concatenate the parallel units' shards per language, leaving out contaminated groups."""
    from codescale.mixtures.shards import Shard, ShardWriter

    summaries = [json.loads((units_dir / u.key / "unit.json").read_text()) for u in units]
    present = [lang for lang in languages if any(lang in s["languages"] for s in summaries)]
    flags = [_read_columns(units_dir / u.key / "groups.parquet", ["held_out", "contaminated"]) for u in units]
    held = np.concatenate([f["held_out"] for f in flags]) if flags else np.zeros(0, dtype=bool)
    dirty = np.concatenate([f["contaminated"] for f in flags]) if flags else np.zeros(0, dtype=bool)
    shards: dict[str, str] = {}
    if staging is not None:
        for lang in present:
            writer = ShardWriter(staging / "parallel" / lang, dtype)
            try:
                for unit, flag in zip(units, flags):
                    shard = Shard(units_dir / unit.key / f"p-{lang}.bin", dtype)
                    _copy(writer, shard.tokens, shard.offsets, np.flatnonzero(~flag["contaminated"]))
            except BaseException:
                writer.abort()
                raise
            writer.close()
            shards[lang] = str(writer.bin_path.relative_to(staging))
    kept_held = held[~dirty]
    return ParallelOutput(
        int((~dirty).sum()), int(dirty.sum()), present, shards, np.flatnonzero(~kept_held).astype(np.int64)
    )
