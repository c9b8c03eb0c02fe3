"""Cleaning in prepare and scan: filters, labels, exact and near dedup, decontamination, reports, counts in the manifest."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
import yaml
from mixtures_testing import SUITE_PROGRAM, make_dirty_corpus, program
from tokenizers import Tokenizer

from codescale.core.cli import main
from codescale.core.contracts import PreparedManifest
from codescale.mixtures import PreparedCorpus
from codescale.mixtures.filters import FILTERS
from codescale.mixtures.prepare import prepare
from codescale.mixtures.scan import scan_catalog


@pytest.fixture(scope="module")
def dirty(tmp_path_factory) -> tuple[Path, dict, Path]:
    root = tmp_path_factory.mktemp("dirty")
    catalog, expected = make_dirty_corpus(root)
    prepare(catalog, root / "prepared", progress=False, workers=2)
    return catalog, expected, root / "prepared"


def edited(catalog: Path, out: Path, **sections) -> Path:
    body = yaml.safe_load(catalog.read_text())
    for key, value in sections.items():
        body[key] = {**body.get(key, {}), **value}
    path = catalog.with_name(f"catalog-{out.name}.yaml")
    path.write_text(yaml.safe_dump(body, sort_keys=False))
    return path


def documents(prepared: Path, lang: str) -> list[str]:
    corpus = PreparedCorpus(prepared)
    tokenizer = Tokenizer.from_file(str(corpus.tokenizer_dir / "tokenizer.json"))
    texts = []
    for split in ("train", "valid"):
        shard = corpus.split(lang, split)
        texts += [tokenizer.decode(shard.document(i).tolist()) for i in range(shard.documents)]
    return texts


def test_every_kind_of_dirt_is_dropped_and_counted_under_its_reason(dirty):
    _, expected, prepared = dirty
    cleaning = PreparedManifest.read_dir(prepared).cleaning
    python = cleaning.languages["python"]
    want = expected["python"]
    assert (python.rows, python.empty, python.bad_rows) == (want["rows"], want["empty"], 0)
    assert {name: count.documents for name, count in python.filtered.items()} == want["filtered"]
    assert list(python.filtered) == list(FILTERS)
    assert python.decontaminated.documents == want["decontaminated"]
    assert (python.exact_duplicates.documents, python.near_duplicates.documents) == (want["exact"], want["near"])
    assert python.kept.documents == want["kept"]
    manifest = PreparedManifest.read_dir(prepared)
    assert python.kept.tokens == sum(s.tokens for s in manifest.languages["python"].values())
    assert python.valid_documents == manifest.languages["python"]["valid"].documents
    assert python.exact_duplicates.tokens > 0 and python.filtered["data_like"].tokens is None


def test_the_shards_hold_exactly_the_clean_documents_first_copies_kept(dirty):
    _, _, prepared = dirty
    clean = [program("python", 7000 + i, repeat=6) for i in range(40)]
    assert sorted(documents(prepared, "python")) == sorted(clean)


def test_tsx_and_jsx_rows_join_their_language_and_unmapped_labels_are_reported(dirty):
    _, expected, prepared = dirty
    manifest = PreparedManifest.read_dir(prepared)
    assert manifest.cleaning.unmapped_labels == expected["unmapped"]
    for lang in ("javascript", "typescript"):
        facts = manifest.cleaning.languages[lang]
        assert (facts.rows, facts.exact_duplicates.documents, facts.kept.documents) == (
            expected[lang]["rows"],
            expected[lang]["exact"],
            expected[lang]["kept"],
        )
    assert sum("export function" in text for text in documents(prepared, "typescript")) == 12  # 2 are TSX rows


def test_a_copy_under_another_language_stays_when_dedup_is_within_languages(dirty, tmp_path):
    catalog, _, _ = dirty
    within = edited(catalog, tmp_path / "within", dedup={"across_languages": False})
    report = scan_catalog(within, workers=1)
    typescript = {row.language: row for row in report}["typescript"].cleaning
    assert (typescript.exact_duplicates.documents, typescript.kept.documents) == (0, 13)


def test_decontamination_covers_builtin_tasks_and_suites_and_can_be_turned_off(dirty, tmp_path):
    catalog, _, prepared = dirty
    manifest = PreparedManifest.read_dir(prepared)
    info = manifest.cleaning.decontamination
    assert info.ngram == 13 and info.ngrams > 1000
    assert info.sources == ["codescale.mixtures.evalsets (built-in tasks)", "eval/suite.jsonl"]
    assert not any(SUITE_PROGRAM.split("\n")[0] in text for text in documents(prepared, "python"))
    assert (manifest.parallel.groups, manifest.cleaning.parallel_groups_decontaminated) == (8, 1)
    off = edited(catalog, tmp_path / "off", decontamination={"enabled": False})
    python = {row.language: row for row in scan_catalog(off, workers=1)}["python"].cleaning
    assert python.decontaminated.documents == 0 and python.kept.documents == 42


def test_near_dedup_off_keeps_the_near_copies_and_exact_dedup_off_leaves_copies_to_near(dirty, tmp_path):
    catalog, _, _ = dirty
    exact_only = edited(catalog, tmp_path / "exact", dedup={"near": False})
    python = {row.language: row for row in scan_catalog(exact_only, workers=1)}["python"].cleaning
    assert (python.exact_duplicates.documents, python.near_duplicates.documents, python.kept.documents) == (2, 0, 42)
    near_only = edited(catalog, tmp_path / "near", dedup={"exact": False})
    python = {row.language: row for row in scan_catalog(near_only, workers=1)}["python"].cleaning
    assert (python.exact_duplicates.documents, python.near_duplicates.documents, python.kept.documents) == (0, 4, 40)


def test_scan_counts_exactly_what_prepare_keeps_and_drops(dirty):
    catalog, _, prepared = dirty
    report = scan_catalog(catalog, workers=2)
    prepared_cleaning = PreparedManifest.read_dir(prepared).cleaning
    for row in report:
        scanned = row.cleaning.to_dict()
        stored = prepared_cleaning.languages[row.language].to_dict()
        for stage in ("decontaminated", "exact_duplicates", "near_duplicates", "kept"):
            stored[stage]["tokens"] = scanned[stage]["tokens"] = None
        assert scanned == stored
    assert report.cleaning.unmapped_labels == prepared_cleaning.unmapped_labels
    assert report.parallel == (8, 1, PreparedManifest.read_dir(prepared).parallel.train_groups)


def test_prepare_prints_the_per_language_report_with_sources_and_warnings(dirty, tmp_path, capsys):
    catalog, _, _ = dirty
    assert main(["data", "prepare", str(catalog), "-o", str(tmp_path / "out"), "--quiet", "--workers", "1"]) == 0
    out = capsys.readouterr().out
    header = next(line for line in out.splitlines() if line.startswith("language"))
    for column in (
        "kept tokens",
        "valid docs",
        "too big",
        "long line",
        "generated",
        "data-like",
        "decontam",
        "exact dup",
        "near dup",
    ):
        assert column in header
    assert "translation sets: 6 directions, 22 examples each, from codescale.mixtures.evalsets (built-in" in out
    assert "parallel: 8 groups kept (1 dropped by decontamination)" in out
    assert "warning: python has 4 validation document(s), fewer than validation.min_documents (10)" in out
    assert "warning: language labels no catalog language takes: Vue (2), Markdown (1)" in out


def test_the_cleaning_counts_are_queryable_in_manifest_duckdb(dirty):
    _, _, prepared = dirty
    with duckdb.connect(str(prepared / "manifest.duckdb"), read_only=True) as con:
        rows = dict(con.execute("SELECT stage, documents FROM cleaning WHERE language = 'python'").fetchall())
        sources = {r[0] for r in con.execute("SELECT source FROM translation").fetchall()}
    assert rows["near_duplicates"] == 2 and rows["kept"] == 40 and rows["max_line_length"] == 1
    assert sources == {"codescale.mixtures.evalsets"}


def test_the_synthetic_corpus_loses_nothing_to_the_default_cleaning(tmp_path):
    synthetic = pytest.importorskip("codescale.mixtures.synthetic")
    catalog = synthetic.write_corpus(tmp_path / "corpus", 60, seed=5)
    report = scan_catalog(catalog, workers=1)
    for row in report:
        facts = row.cleaning
        assert (facts.rows, facts.kept.documents) == (60, 60), row.language
    assert report.parallel[:2] == (60, 0)
    assert not report.bad_rows and report.cleaning.unmapped_labels == {}


def test_scan_json_holds_languages_labels_bad_rows_and_eval_sources(dirty, capsys):
    catalog, _, _ = dirty
    assert main(["data", "scan", str(catalog), "--json", "--workers", "1"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [row["language"] for row in data["languages"]] == ["python", "javascript", "typescript"]
    assert data["languages"][0]["near_duplicates"]["documents"] == 2
    assert data["unmapped_labels"] == {"Markdown": 1, "Vue": 2} and data["bad_rows"] == []
    assert data["translation"]["python->javascript"] == {"examples": 22, "source": "codescale.mixtures.evalsets"}
