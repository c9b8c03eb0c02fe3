"""``codescale data prepare``: catalog -> cleaned, deduplicated, tokenised shards, eval sets and a manifest.

The stages (docs/data.md draws them):

1. **Plan** (``units.py``): every input file is read once (sha256; cut points of large ``.jsonl``) and split into
   work units. The output's ``content_hash`` is the sha256 of the prepared format, the catalog (all but ``cluster``),
   every input file and the evaluation texts; an output directory whose manifest has that hash (and no quarantined
   rows, unless ``--on-bad-row skip``) is up to date and left alone.
2. **Tokenizer**: copied from ``tokenizer.path``, or trained once, here, on a deterministic sample — the first
   ``sample_documents_per_language`` documents of each language in catalog order that pass the filters, are not
   contaminated, not held out and not an exact repeat of an earlier sample document.
3. **Units** (``work.py``) on local workers or a Slurm array (``executors.py``): read, quarantine bad rows, filter,
   decontaminate, hash, MinHash, tokenise; each unit's result is a directory in the work directory.
4. **Duplicates** (``dedup.py``): one DuckDB pass over all units' metadata decides exact and near duplicates.
5. **Merge** (``merge.py``) into a staging directory: one train and one valid shard per language, the parallel
   shards, the translation eval sets, the quarantine file, ``manifest.duckdb`` and last ``manifest.json``
   (:class:`~codescale.core.contracts.PreparedManifest`); the staging directory is then renamed into place.

Failure model: the output directory changes only by that final rename, so a failed or interrupted prepare leaves
it exactly as it was. The work directory ``.NAME.work`` beside it keeps the finished units of a failed, interrupted
or killed prepare; running the same command again redoes only the unfinished ones (a unit's key covers everything
its output depends on, so units of files that did not change are reused even after another file was fixed). It is
removed after a successful prepare. Two prepares of the same output directory at once are refused (a lock file).

Interrupts: a SIGINT (Ctrl-C) stops prepare in any phase, as a ``KeyboardInterrupt`` at the next Python bytecode of
the main thread (a native call in progress -- training the tokenizer, encoding one batch, a DuckDB statement --
finishes first; tokenizer training on a large sample can take minutes). Two steps hold it until they are done
(:func:`codescale.core.interrupts.deferred_interrupt`): publishing (the renames that swap the staging directory into
place; interrupted there, prepare still ends with the complete new output and exit status 130) and the cleanup after
a failure (a second Ctrl-C cannot leave half a staging directory behind).

Splits: a document is held out for validation when the hash of its text falls below ``validation.fraction``, so the
split is the same on every machine and an exact duplicate never straddles train and validation. A parallel group is
used for pairing only when none of its programs is held out.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import shutil
import sys
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from codescale.core.catalog import Catalog, load_catalog
from codescale.core.contracts.prepared import (
    ParallelInfo,
    PreparedManifest,
    SplitInfo,
    TokenizerInfo,
    TranslationSet,
    ValidationInfo,
)
from codescale.core.domains import direction_key
from codescale.core.errors import CodescaleError
from codescale.core.interrupts import deferred_interrupt
from codescale.core.io import atomic_write_text
from codescale.mixtures import tokenizer as tok
from codescale.mixtures.decontam import EvalTexts, build_ngrams, evaluation_texts, translation_tasks
from codescale.mixtures.executors import default_workers, run_array, run_local
from codescale.mixtures.manifest_db import write_manifest_db
from codescale.mixtures.pairing import separator_text
from codescale.mixtures.shards import token_dtype, write_shard
from codescale.mixtures.units import UNIT_BYTES, Layout, Unit, plan_units
from codescale.mixtures.work import WorkSettings, held_out, is_done

FORMAT = "codescale.prepared/1"
CLEANING_VERSION = 1
"""Bump when cleaning keeps or drops different documents for the same catalog, so prepared corpora are rebuilt."""
log = logging.getLogger(__name__)


def is_held_out(text: str, fraction: float) -> bool:
    """The validation split of a text (see :func:`codescale.mixtures.work.held_out`)."""
    return held_out(text.encode("utf-8", "surrogatepass"), fraction)


def work_dir_of(out_dir: Path) -> Path:
    """Where a prepare of ``out_dir`` keeps its units until it succeeds."""
    return out_dir.parent / f".{out_dir.name}.work"


def prepare(
    catalog_path: str | Path,
    out_dir: str | Path,
    *,
    progress: bool = True,
    workers: int | None = None,
    executor: str = "local",
    on_bad_row: str = "fail",
    unit_bytes: int = UNIT_BYTES,
    log_warnings: bool = True,
) -> dict:
    """Prepare the corpus of ``catalog_path`` into ``out_dir``; returns the manifest as written (a plain dict).

    ``workers``: local worker processes (default: the CPUs here); ``executor``: ``local``, ``slurm`` (the catalog's
    ``cluster``) or ``submitit-local``; ``on_bad_row``: ``fail`` or ``skip``; ``unit_bytes``: input per work unit;
    ``log_warnings``: log the report's warnings (few validation documents, unmapped labels, quarantined rows)."""
    if on_bad_row not in ("fail", "skip"):
        raise CodescaleError(f"on_bad_row must be fail or skip, not {on_bad_row!r}", field="--on-bad-row")
    catalog = load_catalog(catalog_path)
    out_dir = Path(out_dir).resolve()
    tasks, tasks_source = translation_tasks(catalog)
    evaluation = evaluation_texts(catalog, tasks, tasks_source)
    layout = plan_units(catalog, unit_bytes)
    content_hash = _content_hash(catalog, layout, tasks, evaluation)
    existing = out_dir / "manifest.json"
    if existing.is_file():
        try:
            manifest = PreparedManifest.read_dir(out_dir)
        except CodescaleError as err:  # a damaged or foreign manifest: this prepare replaces it
            log.warning("rebuilding %s: %s", out_dir, err.render())
        else:
            quarantined = manifest.cleaning.quarantine.rows if manifest.cleaning else 0
            if manifest.content_hash == content_hash and (quarantined == 0 or on_bad_row == "skip"):
                return manifest.to_dict()
    elif out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise CodescaleError(
            "exists and is not a prepared corpus (no manifest.json)",
            source=out_dir,
            hint="choose a new output directory or empty this one",
        )
    work = work_dir_of(out_dir)
    with _locked(work):
        try:
            manifest = _prepare(
                catalog,
                out_dir,
                work,
                layout,
                content_hash,
                tasks,
                tasks_source,
                evaluation,
                progress=progress,
                workers=workers or default_workers(),
                executor=executor,
                on_bad_row=on_bad_row,
            )
            if log_warnings:
                from codescale.mixtures.report import warn_about

                warn_about(catalog, manifest.cleaning)
        except BaseException:
            with deferred_interrupt():  # a second Ctrl-C must not cut the cleanup of the work directory short
                _keep_or_drop(work)
            raise
    shutil.rmtree(work, ignore_errors=True)
    return manifest.to_dict()


@contextmanager
def _locked(work: Path):
    work.mkdir(parents=True, exist_ok=True)
    with open(work / "lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise CodescaleError(
                "another prepare of this output directory is running",
                source=work,
                hint="wait for it to finish (or stop it) and run again",
            ) from None
        yield


def _keep_or_drop(work: Path) -> None:
    """After a failure: keep the work directory when it holds finished units (the next run reuses them)."""
    finished = [p for p in (work / "units").glob("*/unit.json")] if (work / "units").is_dir() else []
    if finished:
        for stray in (work / "units").glob(".*.tmp-*"):
            shutil.rmtree(stray, ignore_errors=True)
        log.warning(
            "kept %d finished work units in %s; running the same prepare again reuses them", len(finished), work
        )
    else:
        shutil.rmtree(work, ignore_errors=True)


def _content_hash(catalog: Catalog, layout: Layout, tasks: list[dict], evaluation: EvalTexts) -> str:
    digest = hashlib.sha256()
    digest.update(f"{FORMAT} cleaning/{CLEANING_VERSION}".encode())
    digest.update(json.dumps(catalog.identity(), sort_keys=True).encode())
    files = dict(layout.digests)
    if catalog.tokenizer.path is not None:
        path = catalog.file_path(("tokenizer", "path"), catalog.tokenizer.path)
        with open(path, "rb") as handle:
            files[path] = hashlib.file_digest(handle, "sha256").hexdigest()
    for path, sha in files.items():
        digest.update(
            str(path.relative_to(catalog.base_dir) if path.is_relative_to(catalog.base_dir) else path).encode()
        )
        digest.update(sha.encode())
    digest.update(json.dumps(tasks, sort_keys=True).encode())
    digest.update(evaluation.digest.encode())
    return digest.hexdigest()


def work_settings(
    catalog: Catalog, work: Path, evaluation: EvalTexts, tokenizer: tok.TokenizerInfo | None, on_bad_row: str
):
    """The settings every unit runs with, and the LSH parameters (None without near-dedup)."""
    from codescale.mixtures.minhash import lsh_parameters

    near = None
    if catalog.dedup.near:
        try:
            near = lsh_parameters(catalog.dedup.threshold, catalog.dedup.num_perm)
        except CodescaleError as err:
            raise catalog.error(("dedup", "threshold"), err.message, hint=err.hint) from None
    eval_path = None
    if catalog.decontamination.enabled:
        eval_path = work / "eval_ngrams.npy"
        build_ngrams(evaluation, catalog.decontamination.ngram, eval_path)
    return WorkSettings(
        base_dir=str(catalog.base_dir),
        filters=catalog.filters,
        labels=catalog.label_map(),
        fraction=catalog.validation.fraction,
        on_bad_row=on_bad_row,
        near=near,
        shingle_words=catalog.dedup.ngram,
        decontam_words=catalog.decontamination.ngram,
        eval_ngrams=str(eval_path) if eval_path else None,
        eval_digest=evaluation.digest,
        tokenizer=tokenizer,
        dtype=token_dtype(tokenizer.vocab_size).name if tokenizer else "uint16",
        pivot=catalog.parallel.pivot if catalog.parallel else None,
        languages=tuple(catalog.languages),
    )


def run_units(
    units: list[Unit],
    settings: WorkSettings,
    work: Path,
    catalog: Catalog,
    *,
    workers: int,
    executor: str,
    progress: bool,
) -> None:
    """Run every unfinished unit with the chosen executor."""
    units_dir = work / "units"
    units_dir.mkdir(parents=True, exist_ok=True)
    pending = [u for u in units if not is_done(units_dir, u)]
    if len(pending) < len(units):
        log.info("resuming: %d of %d work units are already done", len(units) - len(pending), len(units))
    from tqdm import tqdm

    with tqdm(
        total=len(units),
        initial=len(units) - len(pending),
        unit="unit",
        file=sys.stderr,
        disable=None if progress else True,
        dynamic_ncols=True,
    ) as bar:
        if executor == "local":
            run_local(pending, settings, units_dir, workers, lambda summary: bar.update(1))
        elif executor in ("slurm", "submitit-local"):
            run_array(
                pending,
                settings,
                units_dir,
                work / "slurm",
                executor,
                catalog.cluster,
                catalog.path,
                lambda done: bar.update(done - bar.n),
            )
        else:
            raise CodescaleError(f"unknown executor {executor!r}", field="--executor", hint="use local or slurm")


def _prepare(
    catalog: Catalog,
    out_dir: Path,
    work: Path,
    layout: Layout,
    content_hash: str,
    tasks: list[dict],
    tasks_source: str,
    evaluation: EvalTexts,
    *,
    progress: bool,
    workers: int,
    executor: str,
    on_bad_row: str,
) -> PreparedManifest:
    from codescale.mixtures.report import cleaning_of

    info = build_tokenizer(catalog, work / "tokenizer", on_bad_row=on_bad_row)
    settings = work_settings(catalog, work, evaluation, info, on_bad_row)
    units = [u.with_key(settings.key(u.kind)) for u in layout.units]
    layout = Layout(layout.segments, units, layout.digests)
    run_units(units, settings, work, catalog, workers=workers, executor=executor, progress=progress)
    staging = out_dir.parent / f".{out_dir.name}.staging-{content_hash[:12]}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        shutil.copytree(info.dir, staging / "tokenizer")
        info = tok.describe(staging / "tokenizer")
        merged = merge_all(catalog, layout, work, settings, staging, workers)
        encoder = tok.document_encoder(info)
        dtype = np.dtype(settings.dtype)
        languages = list(catalog.languages)
        splits = {}
        for lang in languages:
            output = merged.languages[lang]
            if output.splits["train"]["documents"] == 0:
                raise _no_training_documents(catalog, lang, output.cleaning)
            splits[lang] = {split: SplitInfo(**facts) for split, facts in output.splits.items()}
        parallel = _parallel_info(catalog, merged.parallel, encoder, staging) if catalog.parallel else None
        manifest = PreparedManifest(
            catalog=str(catalog.path),
            content_hash=content_hash,
            tokenizer=TokenizerInfo(**info.manifest(staging)),
            dtype=dtype.name,
            validation=ValidationInfo(fraction=catalog.validation.fraction),
            languages=splits,
            parallel=parallel,
            translation=_translation_sets(tasks, tasks_source, encoder, dtype, staging, languages),
            cleaning=cleaning_of(catalog, merged, settings, evaluation),
        )
        write_manifest_db(staging / "manifest.duckdb", manifest)
        atomic_write_text(staging / "manifest.json", manifest.to_json())
        _publish(staging, out_dir)
    except BaseException:
        with deferred_interrupt():  # a second Ctrl-C must not leave half the staging directory behind
            shutil.rmtree(staging, ignore_errors=True)
        raise
    return manifest


class Merged:
    """What the merge made: per-language outputs, the parallel output, unit summaries, quarantine and labels."""

    def __init__(self, languages, parallel, quarantined: int, unmapped: dict[str, int]) -> None:
        self.languages, self.parallel, self.quarantined, self.unmapped = languages, parallel, quarantined, unmapped


def merge_all(
    catalog: Catalog, layout: Layout, work: Path, settings: WorkSettings, staging: Path | None, workers: int
) -> Merged:
    """Duplicates, then the merge of every unit (``staging`` None: count only, for ``data scan``)."""
    from codescale.mixtures.dedup import DuplicateFinder, Verdicts
    from codescale.mixtures.merge import merge_documents, merge_parallel

    units_dir = work / "units"
    languages = list(catalog.languages)
    documents = [u for u in layout.units if u.kind == "documents"]
    meta = [
        (units_dir / u.key / f"t{k}.parquet", seg, languages.index(layout.segments[seg].language))
        for u in documents
        for k, seg in enumerate(u.segments)
    ]
    finder = DuplicateFinder(
        meta,
        exact=catalog.dedup.exact,
        near=catalog.dedup.near,
        bands=settings.near.bands if settings.near else 0,
        across_languages=catalog.dedup.across_languages,
        memory_gb=catalog.dedup.memory_gb,
        temp_dir=work / "duckdb.tmp",
        threads=workers,
    )
    try:
        dtype = np.dtype(settings.dtype)  # of the shards written (none when counting only)
        outputs = merge_documents(layout, units_dir, Verdicts(finder.verdicts()), staging, dtype, languages)
    finally:
        finder.close()
    parallel_units = [u for u in layout.units if u.kind == "parallel"]
    parallel = merge_parallel(parallel_units, units_dir, staging, dtype, languages) if parallel_units else None
    quarantined = 0
    unmapped: dict[str, int] = {}
    lines = []
    for unit in layout.units:
        summary = json.loads((units_dir / unit.key / "unit.json").read_text())
        quarantined += summary.get("quarantined", 0)
        for label, rows in summary.get("unmapped", {}).items():
            unmapped[label] = unmapped.get(label, 0) + rows
        if summary.get("quarantined") and staging is not None:
            lines.append(units_dir / unit.key / "quarantine.jsonl")
    if lines and staging is not None:  # lines are only collected with a staging directory
        with open(staging / "quarantine.jsonl", "wb") as out:
            for path in lines:
                with open(path, "rb") as handle:
                    shutil.copyfileobj(handle, out)
    return Merged(outputs, parallel, quarantined, dict(sorted(unmapped.items())))


def _no_training_documents(catalog: Catalog, lang: str, cleaning) -> CodescaleError:
    sources = ", ".join(s.path for s in catalog.languages[lang].sources)
    dropped = {
        "bad": cleaning.bad_rows,
        "empty": cleaning.empty,
        "filtered": sum(c.documents for c in cleaning.filtered.values()),
        "decontaminated": cleaning.decontaminated.documents,
        "duplicates": cleaning.exact_duplicates.documents + cleaning.near_duplicates.documents,
    }
    detail = ", ".join(f"{n} {what}" for what, n in dropped.items() if n)
    held = cleaning.valid_documents
    return catalog.error(
        ("languages", lang, "sources"),
        f"no {lang} training documents in {sources}"
        + (f" ({held} held out for validation)" if held else "")
        + (f"; of {cleaning.rows} rows: {detail}" if detail else ""),
        hint="check the files hold non-empty text for this language (and the language_column values), or "
        "remove the language from the catalog",
    )


def _publish(staging: Path, out_dir: Path) -> None:
    """Swap the staging directory into place; an interrupt is held until the new corpus is there and the old gone."""
    with deferred_interrupt():
        old = None
        if out_dir.exists():
            old = out_dir.parent / f".{out_dir.name}.old-{os.getpid()}"
            os.replace(out_dir, old)
        os.replace(staging, out_dir)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


def build_tokenizer(catalog: Catalog, out_dir: Path, *, on_bad_row: str = "fail") -> tok.TokenizerInfo:
    """The catalog's tokenizer in ``out_dir``: copied from ``tokenizer.path``, or trained on a deterministic sample:
    the first ``sample_documents_per_language`` documents of every language (catalog order) that pass the filters,
    are not contaminated, not held out for validation, and not an exact repeat of an earlier sample document."""
    spec = catalog.tokenizer
    if spec.path is not None:
        return tok.copy_tokenizer(catalog.file_path(("tokenizer", "path"), spec.path), out_dir)
    from codescale.mixtures.sample import tokenizer_sample

    return tok.train_tokenizer(tokenizer_sample(catalog, on_bad_row), spec.vocab_size, out_dir)


def _parallel_info(catalog: Catalog, parallel, encoder, staging: Path) -> ParallelInfo:
    spec = catalog.parallel
    if spec is None:
        raise ValueError("_parallel_info is only called for a catalog with `parallel:`")
    if parallel.groups == 0:
        detail = f" ({parallel.contaminated} dropped by decontamination)" if parallel.contaminated else ""
        raise catalog.error(
            ("parallel", "path"),
            f"no parallel groups in {spec.path}{detail}",
            hint="fill the file or remove `parallel:` from the catalog",
        )
    (staging / "parallel").mkdir(parents=True, exist_ok=True)
    np.save(staging / "parallel" / "train_groups.npy", parallel.train_groups)
    separators: dict[str, dict[str, list[int]]] = {}
    for template in ("direct", "prompt"):
        for src in parallel.languages:
            for tgt in parallel.languages:
                if src != tgt:
                    text = separator_text(template, src, tgt)
                    separators.setdefault(template, {})[direction_key(src, tgt)] = encoder.encode(
                        text, add_special_tokens=False
                    ).ids
    return ParallelInfo(
        groups=parallel.groups,
        train_groups=int(len(parallel.train_groups)),
        file="parallel/train_groups.npy",
        pivot=spec.pivot,
        languages=parallel.languages,
        shards=parallel.shards,
        separators=separators,
    )


def _translation_sets(
    tasks: list[dict], source: str, encoder, dtype: np.dtype, staging: Path, languages: list[str]
) -> dict[str, TranslationSet]:
    """One shard per direction: example i is documents 2i (source program + prompt) and 2i + 1 (target + EOS)."""
    as_source, as_target = {}, {}  # every task program is tokenised once, as a source (bare) and as a target (+EOS)
    for lang in languages:
        texts = [t[lang] for t in tasks if t.get(lang)]
        if texts:
            as_source[lang] = dict(
                zip(texts, (e.ids for e in encoder.encode_batch_fast(texts, add_special_tokens=False)))
            )
            as_target[lang] = dict(zip(texts, (e.ids for e in encoder.encode_batch_fast(texts))))
    result = {}
    for src in as_source:
        for tgt in as_source:
            if src == tgt:
                continue
            pairs = [(t[src], t[tgt]) for t in tasks if t.get(src) and t.get(tgt)]
            if not pairs:
                continue
            # tokenised piece by piece, exactly as a prompt-paired training document is
            prompt = encoder.encode(separator_text("prompt", src, tgt), add_special_tokens=False).ids
            documents = []
            for x, y in pairs:
                documents += [
                    np.asarray(as_source[src][x] + prompt, dtype=dtype),
                    np.asarray(as_target[tgt][y], dtype=dtype),
                ]
            write_shard(staging / "translation" / f"{src}-{tgt}", documents, dtype)
            result[direction_key(src, tgt)] = TranslationSet(
                examples=len(pairs), file=f"translation/{src}-{tgt}.bin", source=source
            )
    return result
