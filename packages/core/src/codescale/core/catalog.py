"""The corpus catalog: which files hold each language's code, the parallel corpus, and how to tokenise.

A catalog is a YAML file (contracts §1). Paths in it are globs relative to the catalog file. Loading validates the
whole document against the pydantic models below and reports every problem at ``file:line:col`` with the field
path, so `codescale validate --check-data` and `codescale data prepare` give the same messages. Language keys are
canonicalised (``py`` -> ``python``); writing one language twice under two aliases is an error.

Nothing here reads the data itself: :meth:`Catalog.source_files` only expands globs (and reports a glob matching
nothing at the line that wrote it). Reading and tokenising live in ``codescale.mixtures``.
"""

from __future__ import annotations

import glob
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator

from codescale.core.domains import canonical
from codescale.core.errors import CodescaleError, CodescaleErrors
from codescale.core.yaml_source import SourceMap, load_yaml

SUFFIXES = (".jsonl", ".jsonl.gz", ".parquet")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Model):
    """One glob of files holding documents of a language."""

    path: str = Field(description="glob relative to the catalog file; .jsonl, .jsonl.gz or .parquet files")
    text_column: str = Field("content", description="column (or JSON key) holding a document's text")
    language_column: str | None = Field(
        None, description="optional column; only rows whose value names this language (any alias) are kept"
    )

    @field_validator("path")
    @classmethod
    def _known_suffix(cls, value: str) -> str:
        if not value.endswith(SUFFIXES):
            raise ValueError(f"{value!r} must end with one of {', '.join(SUFFIXES)}")
        return value


class LanguageSources(_Model):
    sources: list[Source] = Field(min_length=1, description="files holding this language's documents")


class ParallelCorpus(_Model):
    """Groups of equivalent programs, one JSON object per line keyed by language id."""

    path: str = Field(description="JSONL file relative to the catalog: {\"id\": ..., \"python\": ..., \"java\": ...}")
    pivot: str = Field("python", description="language every group must contain (the paper pairs through Python)")

    @field_validator("pivot")
    @classmethod
    def _canonical_pivot(cls, value: str) -> str:
        return _canonical_or_value_error(value)


class TranslationEval(_Model):
    path: str | None = Field(
        None, description="JSONL of hand-written tasks like the parallel corpus; null: codescale.mixtures.evalsets"
    )


class TokenizerSpec(_Model):
    """Train a byte-level BPE (vocab_size, sample) or use an existing tokenizer.json (path)."""

    vocab_size: int = Field(4096, ge=300, le=1 << 20, description="vocabulary size of a trained tokenizer")
    sample_documents_per_language: int = Field(
        2000, ge=1, description="training documents per language (the same number for each: a balanced sample)"
    )
    path: str | None = Field(None, description="an existing tokenizer.json, relative to the catalog; skips training")


class Validation(_Model):
    fraction: float = Field(0.02, ge=0.0, lt=1.0, description="share of documents held out, chosen by content hash")


class Catalog(_Model):
    name: str = Field("", description="free text")
    languages: dict[str, LanguageSources] = Field(min_length=1, description="canonical language id -> its sources")
    parallel: ParallelCorpus | None = None
    translation_eval: TranslationEval = TranslationEval()
    tokenizer: TokenizerSpec = TokenizerSpec()
    validation: Validation = Validation()

    _path: Path | None = PrivateAttr(None)
    _source_map: SourceMap | None = PrivateAttr(None)

    @field_validator("languages", mode="before")
    @classmethod
    def _canonical_languages(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        result: dict[str, Any] = {}
        for key, sources in value.items():
            lang = _canonical_or_value_error(str(key))
            if lang in result:
                raise ValueError(f"language {lang!r} is written twice (as {key!r} and another alias)")
            result[lang] = sources
        return result

    @property
    def path(self) -> Path:
        if self._path is None:
            raise CodescaleError("this catalog was not loaded from a file", hint="use load_catalog(path)")
        return self._path

    @property
    def base_dir(self) -> Path:
        return self.path.parent

    def error(self, field_path: tuple[Any, ...], message: str, hint: str | None = None) -> CodescaleError:
        """A CodescaleError at the catalog line that wrote ``field_path`` (e.g. ``("languages", "go", "sources", 0)``)."""
        if self._source_map is None:
            return CodescaleError(message, source=self._path, field=".".join(map(str, field_path)), hint=hint)
        return self._source_map.error(field_path, message, hint)

    def resolve(self, relative: str) -> Path:
        return (self.base_dir / relative).resolve()

    def source_files(self, lang: str) -> list[tuple[Source, list[Path]]]:
        """Each source of ``lang`` with the files its glob matches (sorted); a glob matching nothing is an error."""
        result = []
        for i, source in enumerate(self.languages[lang].sources):
            pattern = str(self.base_dir / source.path)
            files = sorted(Path(p).resolve() for p in glob.glob(pattern, recursive=True) if Path(p).is_file())
            if not files:
                raise self.error(
                    ("languages", lang, "sources", i, "path"),
                    f"no file matches {source.path!r} (relative to {self.base_dir})",
                    hint="fix the path or create the files (`codescale data generate` writes a sample corpus)",
                )
            result.append((source, files))
        return result

    def file_path(self, field_path: tuple[Any, ...], relative: str) -> Path:
        """``relative`` resolved against the catalog; an error at ``field_path`` when it is not an existing file."""
        path = self.resolve(relative)
        if not path.is_file():
            raise self.error(field_path, f"file not found: {path}", hint="fix the path or create the file")
        return path


def _canonical_or_value_error(name: str) -> str:
    try:
        return canonical(name)
    except CodescaleError as err:
        raise ValueError(f"{err.message} ({err.hint})") from None


def load_catalog(path: str | Path) -> Catalog:
    """Read and validate a catalog; every schema problem is reported with ``file:line:col`` in one CodescaleErrors."""
    path = Path(path)
    data, smap = load_yaml(path)
    if not isinstance(data, dict):
        raise CodescaleError("a catalog must be a YAML mapping with a `languages:` section", source=str(path))
    try:
        catalog = Catalog.model_validate(data)
    except ValidationError as exc:
        errors = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            message = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                message = f"unknown field {loc[-1]!r}"
            elif err["type"] == "missing":
                message = f"missing field {loc[-1]!r}"
            errors.append(smap.error(loc, message, hint="see docs/contracts.md §1 for the catalog format",
                                     key=err["type"] == "extra_forbidden"))
        raise CodescaleErrors(errors) from None
    catalog._path = path.resolve()
    catalog._source_map = smap
    if catalog.parallel is not None and catalog.parallel.pivot not in catalog.languages:
        raise smap.error(
            ("parallel", "pivot"),
            f"pivot {catalog.parallel.pivot!r} is not one of the catalog's languages",
            hint="add the pivot language under `languages:` or pick another pivot",
        )
    return catalog
