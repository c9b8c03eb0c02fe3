"""``codescale data prepare``: catalog -> tokenizer -> per-language token shards, eval sets and a manifest.

Identity: the output's ``content_hash`` is the sha256 of the prepared format version, the catalog's validated
content and the bytes of every input file (sources, parallel corpus, eval tasks, an existing tokenizer). If the
output directory already holds a manifest with that hash, prepare does nothing.

Failure model: everything is built in a sibling staging directory (``.NAME.staging-HASH``); each shard is written
to ``*.tmp`` and renamed, ``manifest.json`` is written last, and only then is the staging directory renamed into
place (an older prepared corpus there is replaced). An error or an interrupt removes the staging directory, so a
failed prepare leaves the output exactly as it was.

Interrupts: a SIGINT (Ctrl-C) stops prepare in any phase, as a ``KeyboardInterrupt`` at the next Python bytecode of
the main thread (a native call in progress -- training the tokenizer, encoding one batch, a DuckDB statement --
finishes first; tokenizer training on a large sample can take minutes). Two steps hold it until they are done
(:func:`codescale.core.interrupts.deferred_interrupt`): publishing (the renames that swap the staging directory into
place; interrupted there, prepare still ends with the complete new output and exit status 130) and the cleanup after
a failure (a second Ctrl-C cannot leave half a staging directory behind).

Splits: a document is held out for validation when the hash of its text falls below ``validation.fraction``, so the
split is the same on every machine and a duplicate never straddles train and validation. A parallel group is used
for pairing only when none of its programs is held out.

Speed: the tokenizer's ``encode_batch_fast`` runs on all cores in Rust and appends EOS itself; while it encodes one
batch, a writer thread turns the previous batch's ids into a numpy array and appends it to the shard.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from concurrent.futures import ThreadPoolExecutor
from itertools import chain
from pathlib import Path

import numpy as np

from codescale.core.catalog import Catalog, load_catalog
from codescale.core.domains import canonical, direction_key
from codescale.core.errors import CodescaleError
from codescale.core.interrupts import deferred_interrupt
from codescale.mixtures import documents as docs
from codescale.mixtures import tokenizer as tok
from codescale.mixtures.manifest_db import write_manifest_db
from codescale.mixtures.pairing import separator_text
from codescale.mixtures.shards import ShardWriter, token_dtype, write_shard

FORMAT = "codescale.prepared/1"
_HASH_SCALE = float(1 << 64)


def is_held_out(text: str, fraction: float) -> bool:
    """The validation split: a document is held out when its content hash falls below ``fraction``."""
    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "little") / _HASH_SCALE < fraction


def prepare(catalog_path: str | Path, out_dir: str | Path, *, progress: bool = True) -> dict:
    """Prepare the corpus of ``catalog_path`` into ``out_dir``; returns the manifest (existing one if up to date)."""
    catalog = load_catalog(catalog_path)
    out_dir = Path(out_dir).resolve()
    eval_tasks, eval_source = _translation_tasks(catalog)
    content_hash = _content_hash(catalog, eval_tasks)
    existing = out_dir / "manifest.json"
    if existing.is_file():
        manifest = json.loads(existing.read_text())
        if manifest.get("content_hash") == content_hash:
            return manifest
    elif out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise CodescaleError(
            "exists and is not a prepared corpus (no manifest.json)", source=out_dir,
            hint="choose a new output directory or empty this one",
        )
    staging = out_dir.parent / f".{out_dir.name}.staging-{content_hash[:12]}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        manifest = _build(catalog, staging, content_hash, eval_tasks, eval_source, progress)
        _publish(staging, out_dir)
    except BaseException:
        with deferred_interrupt():  # a second Ctrl-C must not leave half the staging directory behind
            shutil.rmtree(staging, ignore_errors=True)
        raise
    return manifest


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


def _content_hash(catalog: Catalog, eval_tasks: list[dict]) -> str:
    digest = hashlib.sha256()
    digest.update(FORMAT.encode())
    digest.update(json.dumps(catalog.model_dump(mode="json"), sort_keys=True).encode())
    files: list[Path] = []
    for lang in catalog.languages:
        for _, paths in catalog.source_files(lang):
            files.extend(paths)
    if catalog.parallel is not None:
        files.append(catalog.file_path(("parallel", "path"), catalog.parallel.path))
    if catalog.tokenizer.path is not None:
        files.append(catalog.file_path(("tokenizer", "path"), catalog.tokenizer.path))
    for path in files:
        digest.update(str(path.relative_to(catalog.base_dir) if path.is_relative_to(catalog.base_dir) else path).encode())
        with open(path, "rb") as handle:
            digest.update(hashlib.file_digest(handle, "sha256").digest())
    digest.update(json.dumps(eval_tasks, sort_keys=True).encode())
    return digest.hexdigest()


def _translation_tasks(catalog: Catalog) -> tuple[list[dict], str]:
    """The translation eval tasks: the catalog's file, or the hand-written set shipped with codescale."""
    if catalog.translation_eval.path is not None:
        path = catalog.file_path(("translation_eval", "path"), catalog.translation_eval.path)
        tasks = []
        for number, row in docs.read_jsonl_objects(path):
            tasks.append(_task_languages(row, path, number))
        return tasks, str(path)
    try:
        from codescale.mixtures.evalsets import translation_tasks
    except ImportError:
        raise catalog.error(
            ("translation_eval",),
            "no translation eval set: translation_eval.path is null and codescale.mixtures.evalsets is not installed",
            hint="set translation_eval.path to a JSONL of tasks keyed by language",
        ) from None
    return [_task_languages(task, "codescale.mixtures.evalsets", i + 1) for i, task in enumerate(translation_tasks())], (
        "codescale.mixtures.evalsets"
    )


def _task_languages(row: dict, source: object, number: int) -> dict:
    """A task or parallel group keyed by canonical language id (other keys such as id/description dropped)."""
    result = {}
    for key, value in row.items():
        try:
            lang = canonical(key)
        except CodescaleError:
            continue
        if value is None:
            continue
        if not isinstance(value, str):
            raise CodescaleError(f"{key!r} is {type(value).__name__}, expected the program's text", source=source,
                                 line=number, field=key, hint="each language key must hold a string of code")
        result[lang] = value
    return result


def _build(catalog: Catalog, staging: Path, content_hash: str, eval_tasks: list[dict], eval_source: str,
           progress: bool) -> dict:
    fraction = catalog.validation.fraction
    languages = list(catalog.languages)
    info = build_tokenizer(catalog, staging / "tokenizer")
    encoder = tok.document_encoder(info)
    dtype = token_dtype(info.vocab_size)
    splits = {}
    with _progress_bar(progress) as bar, ThreadPoolExecutor(max_workers=1) as writer_thread:
        for lang in languages:
            bar.set_description(lang)
            splits[lang] = _tokenize_language(catalog, lang, encoder, dtype, staging, fraction, writer_thread, bar)
    manifest = {
        "format": FORMAT,
        "catalog": str(catalog.path),
        "content_hash": content_hash,
        "tokenizer": info.manifest(staging),
        "dtype": dtype.name,
        "validation": {"fraction": fraction},
        "languages": splits,
        "parallel": _parallel(catalog, encoder, dtype, staging, fraction, languages),
        "translation": _translation_sets(eval_tasks, eval_source, encoder, dtype, staging, languages),
    }
    write_manifest_db(staging / "manifest.duckdb", manifest)
    tmp = staging / "manifest.json.tmp"
    tmp.write_text(json.dumps(manifest, indent=2) + "\n")
    os.replace(tmp, staging / "manifest.json")
    return manifest


def _progress_bar(progress: bool):
    from tqdm import tqdm

    return tqdm(total=None, unit="tok", unit_scale=True, file=sys.stderr, disable=None if progress else True,
                dynamic_ncols=True)


def build_tokenizer(catalog: Catalog, out_dir: Path) -> tok.TokenizerInfo:
    """The catalog's tokenizer in ``out_dir``: copied from ``tokenizer.path``, or trained on the first
    ``sample_documents_per_language`` training documents of every language (held-out documents never)."""
    spec, fraction = catalog.tokenizer, catalog.validation.fraction
    if spec.path is not None:
        return tok.copy_tokenizer(catalog.file_path(("tokenizer", "path"), spec.path), out_dir)
    per_language = spec.sample_documents_per_language
    samples: list[str] = []
    for lang in catalog.languages:
        taken = 0
        for source, paths in catalog.source_files(lang):
            for path in paths:
                for batch in docs.read_documents(source, path, lang):
                    kept = [text for text in batch if not is_held_out(text, fraction)][: per_language - taken]
                    samples.extend(kept)
                    taken += len(kept)
                    if taken >= per_language:
                        break
                if taken >= per_language:
                    break
            if taken >= per_language:
                break
    return tok.train_tokenizer(samples, spec.vocab_size, out_dir)


def _encode(encoder, texts: list[str], add_special_tokens: bool = True) -> list:
    return encoder.encode_batch_fast(texts, add_special_tokens=add_special_tokens)


def _to_arrays(encodings: list, dtype: np.dtype) -> tuple[np.ndarray, np.ndarray]:
    lengths = np.fromiter(map(len, encodings), dtype=np.int64, count=len(encodings))
    flat = np.fromiter(chain.from_iterable(e.ids for e in encodings), dtype=dtype, count=int(lengths.sum()))
    return flat, lengths


def _language_batches(catalog: Catalog, lang: str, fraction: float):
    """(texts, held out?) batches of every source file of ``lang``, in catalog order."""
    for source, paths in catalog.source_files(lang):
        for path in paths:
            for batch in docs.read_documents(source, path, lang):
                yield batch, [is_held_out(text, fraction) for text in batch]


def _tokenize_language(catalog: Catalog, lang: str, encoder, dtype: np.dtype, staging: Path, fraction: float,
                       writer_thread: ThreadPoolExecutor, bar) -> dict:
    """Tokenise one language into its train and valid shards.

    Three things overlap: a reader thread parses the next batch, the tokenizer encodes this one on every core
    (without the GIL), and the writer thread turns the previous batch's ids into arrays and appends them.
    """
    catalog.source_files(lang)  # a glob matching nothing is reported before any shard is opened
    writers = {split: ShardWriter(staging / lang / f"{split}-00000", dtype) for split in ("train", "valid")}

    def write(encodings: list, held: list[bool]) -> None:
        for split, keep in (("train", False), ("valid", True)):
            chosen = [e for e, h in zip(encodings, held) if h == keep]
            if chosen:
                flat, lengths = _to_arrays(chosen, dtype)
                writers[split].append(flat, lengths)
                bar.update(int(flat.size))

    pending: list = []
    try:
        for texts, held in docs.read_ahead(_language_batches(catalog, lang, fraction)):
            pending.append(writer_thread.submit(write, _encode(encoder, texts), held))
            while len(pending) > 2:
                pending.pop(0).result()
        while pending:
            pending.pop(0).result()
    except BaseException:
        with deferred_interrupt():  # a second Ctrl-C must not leave a write running into the staging directory
            for future in pending:
                future.cancel()
            for future in pending:  # a write already running must finish before its file is closed
                if not future.cancelled():
                    future.exception()
            for writer in writers.values():
                writer.abort()
        raise
    for writer in writers.values():
        writer.close()
    if writers["train"].documents == 0:
        sources = ", ".join(s.path for s in catalog.languages[lang].sources)
        raise catalog.error(
            ("languages", lang, "sources"),
            f"no {lang} training documents in {sources}"
            + (f" ({writers['valid'].documents} held out for validation)" if writers["valid"].documents else ""),
            hint="check the files hold non-empty text for this language (and the language_column values), or "
            "remove the language from the catalog",
        )
    return {
        split: {"documents": w.documents, "tokens": w.tokens,
                "shards": [os.path.relpath(w.bin_path, staging)]}
        for split, w in writers.items()
    }


def _parallel(catalog: Catalog, encoder, dtype: np.dtype, staging: Path, fraction: float,
              languages: list[str]) -> dict | None:
    """Parallel groups: one shard per language aligned by group, the trainable groups, and every separator."""
    if catalog.parallel is None:
        return None
    path = catalog.file_path(("parallel", "path"), catalog.parallel.path)
    pivot = catalog.parallel.pivot
    groups: list[dict] = []
    for number, row in docs.read_jsonl_objects(path):
        group = {lang: text for lang, text in _task_languages(row, path, number).items() if lang in languages and text}
        if pivot not in group:
            raise CodescaleError(
                f"group {row.get('id', number)!r} has no {pivot} program (the pivot)", source=path, line=number,
                field=pivot, hint=f"add the {pivot} implementation or drop the group",
            )
        groups.append(group)
    if not groups:
        raise catalog.error(("parallel", "path"), f"no parallel groups in {path}",
                            hint="fill the file or remove `parallel:` from the catalog")
    present = [lang for lang in languages if any(lang in g for g in groups)]
    train_groups = np.array(
        [i for i, g in enumerate(groups) if not any(is_held_out(text, fraction) for text in g.values())],
        dtype=np.int64,
    )
    shards = {}
    for lang in present:
        texts = [g.get(lang, "") for g in groups]
        flat, lengths = _to_arrays(_encode(encoder, texts, add_special_tokens=False), dtype)
        stem = staging / "parallel" / lang
        writer = ShardWriter(stem, dtype)
        writer.append(flat, lengths)
        writer.close()
        shards[lang] = os.path.relpath(writer.bin_path, staging)
    np.save(staging / "parallel" / "train_groups.npy", train_groups)
    separators = {}
    for template in ("direct", "prompt"):
        for src in present:
            for tgt in present:
                if src != tgt:
                    text = separator_text(template, src, tgt)
                    separators.setdefault(template, {})[direction_key(src, tgt)] = encoder.encode(
                        text, add_special_tokens=False
                    ).ids
    return {
        "groups": len(groups),
        "train_groups": int(len(train_groups)),
        "file": "parallel/train_groups.npy",
        "pivot": pivot,
        "languages": present,
        "shards": shards,
        "separators": separators,
    }


def _translation_sets(tasks: list[dict], source: str, encoder, dtype: np.dtype, staging: Path,
                      languages: list[str]) -> dict:
    """One shard per direction: example i is documents 2i (source program + prompt) and 2i + 1 (target + EOS)."""
    # every task program is tokenised once, as a source (bare) and as a target (EOS appended)
    as_source, as_target = {}, {}
    for lang in languages:
        texts = [t[lang] for t in tasks if t.get(lang)]
        if texts:
            as_source[lang] = dict(zip(texts, (e.ids for e in _encode(encoder, texts, add_special_tokens=False))))
            as_target[lang] = dict(zip(texts, (e.ids for e in _encode(encoder, texts))))
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
                documents += [np.asarray(as_source[src][x] + prompt, dtype=dtype), np.asarray(as_target[tgt][y], dtype=dtype)]
            write_shard(staging / "translation" / f"{src}-{tgt}", documents, dtype)
            result[direction_key(src, tgt)] = {"examples": len(pairs), "file": f"translation/{src}-{tgt}.bin",
                                               "source": source}
    return result
