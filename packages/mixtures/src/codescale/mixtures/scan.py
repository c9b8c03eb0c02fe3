"""``codescale data scan``: what ``prepare`` would keep and drop, per language, without tokenising anything.

Scan runs prepare's own pipeline — the same work units, readers, bad-row rules, label mapping, filters,
decontamination, MinHash and the same DuckDB duplicate search — on the same executors, and stops before the
tokenizer: so a corpus that scans clean prepares clean, and the counts are the ones prepare will report (in
documents and bytes; tokens exist only after prepare). Bad rows are all collected (not only the first): with
``--on-bad-row fail`` (the default) the command then fails, naming the first one prepare would stop at.

The work directory is temporary (under ``$TMPDIR``, or beside the catalog for ``--executor slurm``, whose nodes must
see it; ``work_dir`` chooses another parent) and removed afterwards. It holds about 250 bytes per document (the
hashes and LSH keys the duplicate search reads), never the texts.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from codescale.core.catalog import load_catalog
from codescale.core.contracts.prepared import Cleaning, LanguageCleaning
from codescale.core.domains import direction_key
from codescale.core.errors import CodescaleError
from codescale.mixtures.decontam import evaluation_texts, translation_tasks
from codescale.mixtures.documents import BadRow
from codescale.mixtures.executors import default_workers
from codescale.mixtures.units import UNIT_BYTES, Layout, plan_units

BAD_ROWS_SHOWN = 20


@dataclass
class LanguageScan:
    language: str
    files: int
    documents: int
    """Rows of the language (empty and bad ones included)."""
    empty: int
    bytes: int
    """UTF-8 bytes of its non-empty texts, before cleaning."""
    duplicates: int
    """Exact duplicates."""
    cleaning: LanguageCleaning

    def as_dict(self) -> dict:
        return {
            "language": self.language,
            "files": self.files,
            "documents": self.documents,
            "empty": self.empty,
            "bytes": self.bytes,
            "duplicates": self.duplicates,
            **self.cleaning.to_dict(),
        }


@dataclass
class ScanReport:
    languages: list[LanguageScan]
    cleaning: Cleaning
    bad_rows: list[dict]
    """The first :data:`BAD_ROWS_SHOWN` bad rows (file, line or row, reason, excerpt) in catalog order."""
    first_error: CodescaleError | None
    """What ``prepare --on-bad-row fail`` would stop with (None: no bad row)."""
    translation: dict[str, tuple[int, str]]
    parallel: tuple[int, int, int] | None

    def __iter__(self):
        return iter(self.languages)

    def as_dict(self) -> dict:
        return {
            "languages": [row.as_dict() for row in self.languages],
            "unmapped_labels": self.cleaning.unmapped_labels,
            "quarantine_rows": self.cleaning.quarantine.rows,
            "bad_rows": self.bad_rows,
            "translation": {k: {"examples": n, "source": s} for k, (n, s) in self.translation.items()},
            "parallel": None
            if self.parallel is None
            else dict(zip(("groups", "decontaminated", "train_groups"), self.parallel)),
            "dedup": self.cleaning.dedup.to_dict(),
            "decontamination": self.cleaning.decontamination.to_dict(),
        }


def scan_catalog(
    catalog_path: str | Path,
    *,
    workers: int | None = None,
    executor: str = "local",
    progress: bool = False,
    unit_bytes: int = UNIT_BYTES,
    work_dir: str | Path | None = None,
) -> ScanReport:
    from codescale.mixtures.prepare import merge_all, run_units, work_settings
    from codescale.mixtures.report import cleaning_of

    catalog = load_catalog(catalog_path)
    tasks, tasks_source = translation_tasks(catalog)
    evaluation = evaluation_texts(catalog, tasks, tasks_source)
    layout = plan_units(catalog, unit_bytes)
    parent = work_dir if work_dir is not None else (catalog.base_dir if executor != "local" else None)
    if parent is not None:
        Path(parent).mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".codescale-scan-", dir=parent))
    try:
        settings = work_settings(catalog, work, evaluation, None, "skip")
        units = [u.with_key(settings.key(u.kind)) for u in layout.units]
        layout = Layout(layout.segments, units, layout.digests)
        run_units(
            units, settings, work, catalog, workers=workers or default_workers(), executor=executor, progress=progress
        )
        merged = merge_all(catalog, layout, work, settings, None, workers or default_workers())
        cleaning = cleaning_of(catalog, merged, settings, evaluation)
        bad_rows, first_error = _bad_rows(layout, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    rows = []
    for lang in catalog.languages:
        facts = cleaning.languages[lang]
        files = sum(len(paths) for _, paths in catalog.source_files(lang))
        read = (
            sum(c.bytes for c in facts.filtered.values())
            + facts.decontaminated.bytes
            + facts.exact_duplicates.bytes
            + facts.near_duplicates.bytes
            + facts.kept.bytes
        )
        rows.append(LanguageScan(lang, files, facts.rows, facts.empty, read, facts.exact_duplicates.documents, facts))
    translation = {}
    for src in catalog.languages:
        for tgt in catalog.languages:
            examples = sum(1 for t in tasks if t.get(src) and t.get(tgt))
            if src != tgt and examples:
                translation[direction_key(src, tgt)] = (examples, tasks_source)
    parallel = None
    if merged.parallel is not None:
        parallel = (merged.parallel.groups, merged.parallel.contaminated, len(merged.parallel.train_groups))
    return ScanReport(rows, cleaning, bad_rows, first_error, translation, parallel)


def _bad_rows(layout: Layout, work: Path) -> tuple[list[dict], CodescaleError | None]:
    shown: list[dict] = []
    first = None
    for unit in layout.units:
        path = work / "units" / unit.key / "quarantine.jsonl"
        if not path.is_file():
            continue
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                entry = json.loads(line)
                if first is None:
                    first = BadRow.from_quarantine(entry, unit.piece.path).to_error()
                shown.append({k: v for k, v in entry.items() if k in ("file", "line", "row", "reason", "excerpt")})
                if len(shown) >= BAD_ROWS_SHOWN:
                    return shown, first
    return shown, first
