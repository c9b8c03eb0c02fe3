"""codescale.core.catalog (read by mixtures): schema errors at file:line, canonical language keys, globs."""

from __future__ import annotations

from pathlib import Path

import pytest

from codescale.core.catalog import load_catalog
from codescale.core.errors import CodescaleError

CATALOGS = Path(__file__).parent / "catalogs"


def error_of(name: str) -> str:
    with pytest.raises(CodescaleError) as err:
        load_catalog(CATALOGS / name)
    return err.value.render()


def test_aliases_become_canonical_language_ids():
    catalog = load_catalog(CATALOGS / "aliases.yaml")
    assert list(catalog.languages) == ["python", "go"]
    assert catalog.parallel.pivot == "python"
    assert catalog.languages["python"].sources[0].text_column == "content"
    assert catalog.tokenizer.vocab_size == 1024 and catalog.validation.fraction == 0.02


def test_unknown_language_is_reported_at_its_line():
    text = error_of("unknown_language.yaml")
    assert "unknown_language.yaml:" in text and "unknown language 'cobol'" in text and "Python" in text


def test_misspelt_field_is_reported_at_its_line():
    text = error_of("unknown_field.yaml")
    assert "unknown_field.yaml:6:9" in text and "unknown field 'text_colum'" in text


def test_every_schema_error_is_reported_at_once():
    text = error_of("bad_suffix.yaml")
    lines = text.splitlines()
    assert len(lines) == 2
    assert "bad_suffix.yaml:4:" in lines[0] and "must end with one of .jsonl" in lines[0]
    assert "bad_suffix.yaml:6:15 tokenizer.vocab_size" in lines[1]


def test_one_language_under_two_aliases_is_an_error():
    assert "language 'python' is written twice" in error_of("alias_twice.yaml")


def test_pivot_must_be_a_catalog_language():
    assert "pivot_missing.yaml:6:10 parallel.pivot: pivot 'python' is not one of the catalog's languages" in error_of(
        "pivot_missing.yaml"
    )


def test_glob_matching_nothing_names_the_catalog_line(tmp_path):
    (tmp_path / "catalog.yaml").write_text("languages:\n  rust:\n    sources:\n      - path: raw/*.parquet\n")
    catalog = load_catalog(tmp_path / "catalog.yaml")
    with pytest.raises(CodescaleError) as err:
        catalog.source_files("rust")
    assert "catalog.yaml:4:15 languages.rust.sources[0].path: no file matches 'raw/*.parquet'" in err.value.render()


def test_cleaning_sections_have_defaults_and_labels_name_known_languages(tmp_path):
    path = tmp_path / "catalog.yaml"
    path.write_text(
        "languages:\n  ts: {sources: [{path: a.jsonl}]}\nlabels:\n  Vue: js\n  Markdown: null\n"
        "cluster: {partition: cpu}\n"
    )
    catalog = load_catalog(path)
    assert catalog.label_map() == {
        "tsx": "typescript",
        "jsx": "javascript",
        "mjs": "javascript",
        "cjs": "javascript",
        "vue": "javascript",
        "markdown": None,
    }
    assert (catalog.filters.max_line_length, catalog.dedup.threshold, catalog.decontamination.ngram) == (1000, 0.7, 13)
    assert "cluster" not in catalog.identity() and catalog.cluster.partition == "cpu"
    path.write_text(
        "languages:\n  ts: {sources: [{path: a.jsonl}]}\nlabels:\n  Vue: cobol\nfilters:\n  max_line_length: -3\n"
    )
    with pytest.raises(CodescaleError) as err:
        load_catalog(path)
    text = err.value.render()
    assert "catalog.yaml:4:8 labels.Vue: unknown language 'cobol'" in text
    assert "catalog.yaml:6:20 filters.max_line_length:" in text and "docs/data.md" in text
