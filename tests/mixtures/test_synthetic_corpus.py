"""write_corpus: the catalog contract (contracts §1), disjoint monolingual and parallel data, atomic and idempotent."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from codescale.core.domains import LANGUAGE_IDS
from codescale.core.errors import CodescaleError
from codescale.mixtures.synthetic import generate_programs, write_corpus


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return write_corpus(tmp_path_factory.mktemp("synthetic") / "corpus", n_programs=12, seed=3)


def test_catalog_follows_the_contract(corpus: Path):
    catalog = yaml.safe_load(corpus.read_text())
    assert corpus.name == "catalog.yaml"
    assert list(catalog["languages"]) == list(LANGUAGE_IDS)
    for lang, entry in catalog["languages"].items():
        (source,) = entry["sources"]
        assert source == {"path": f"raw/{lang}.jsonl", "text_column": "content"}
        assert (corpus.parent / source["path"]).is_file()
    assert catalog["parallel"] == {"path": "raw/parallel.jsonl", "pivot": "python"}
    assert (corpus.parent / catalog["parallel"]["path"]).is_file()
    assert catalog["translation_eval"] == {"path": None}
    assert catalog["tokenizer"]["vocab_size"] == 4096
    assert 0 < catalog["validation"]["fraction"] < 1


def test_catalog_loads_with_the_compiler_catalog_model(corpus: Path):
    from codescale.core.catalog import load_catalog

    catalog = load_catalog(corpus)
    assert list(catalog.languages) == list(LANGUAGE_IDS)
    for lang in LANGUAGE_IDS:
        ((source, files),) = catalog.source_files(lang)
        assert files == [corpus.parent / "raw" / f"{lang}.jsonl"]
    assert catalog.parallel is not None and catalog.parallel.pivot == "python"
    assert catalog.translation_eval.path is None
    assert catalog.tokenizer.vocab_size == 4096


def test_monolingual_files_hold_n_documents_per_language(corpus: Path):
    for lang in LANGUAGE_IDS:
        rows = read_jsonl(corpus.parent / "raw" / f"{lang}.jsonl")
        assert [row["id"] for row in rows] == [f"{lang}-{i:06d}" for i in range(12)]
        assert all(set(row) == {"id", "content"} and row["content"].strip() for row in rows)


def test_parallel_groups_contain_the_pivot_and_every_language(corpus: Path):
    groups = read_jsonl(corpus.parent / "raw" / "parallel.jsonl")
    assert len(groups) == 12
    assert all(set(group) == {"id", *LANGUAGE_IDS} for group in groups)
    assert groups == list(generate_programs(12, seed=3))


def test_monolingual_documents_are_not_the_parallel_programs(corpus: Path):
    groups = read_jsonl(corpus.parent / "raw" / "parallel.jsonl")
    parallel_ids = {group["id"] for group in groups}
    for lang in LANGUAGE_IDS:
        rows = read_jsonl(corpus.parent / "raw" / f"{lang}.jsonl")
        assert not {row["id"] for row in rows} & parallel_ids
        assert not {row["content"] for row in rows} & {group[lang] for group in groups}


def test_monolingual_documents_of_two_languages_are_not_translations(corpus: Path):
    python = read_jsonl(corpus.parent / "raw" / "python.jsonl")
    java = read_jsonl(corpus.parent / "raw" / "java.jsonl")
    python_names = [re.search(r"def (\w+)\(", row["content"]).group(1) for row in python]
    java_names = [re.search(r"static \S+ (\w+)\(", row["content"]).group(1) for row in java]
    assert sum(p.replace("_", "") == j.lower() for p, j in zip(python_names, java_names)) < 3


def test_same_arguments_give_identical_bytes_in_another_directory(corpus: Path, tmp_path: Path):
    again = write_corpus(tmp_path / "again", n_programs=12, seed=3)
    for rel in ["catalog.yaml", "raw/parallel.jsonl", *(f"raw/{lang}.jsonl" for lang in LANGUAGE_IDS)]:
        assert (again.parent / rel).read_bytes() == (corpus.parent / rel).read_bytes()


def test_rewriting_with_the_same_arguments_touches_nothing(tmp_path: Path):
    catalog = write_corpus(tmp_path / "c", n_programs=4, seed=1, languages=["python", "go"])
    before = {p: p.stat().st_mtime_ns for p in (tmp_path / "c").rglob("*")}
    assert write_corpus(tmp_path / "c", n_programs=4, seed=1, languages=["python", "go"]) == catalog
    assert {p: p.stat().st_mtime_ns for p in (tmp_path / "c").rglob("*")} == before


def test_new_arguments_rewrite_the_corpus_and_drop_languages_no_longer_asked_for(tmp_path: Path):
    write_corpus(tmp_path / "c", n_programs=4, seed=1)
    catalog = write_corpus(tmp_path / "c", n_programs=6, seed=1, languages=["python", "rust"])
    assert list(yaml.safe_load(catalog.read_text())["languages"]) == ["python", "rust"]
    raw_files = sorted(p.name for p in (tmp_path / "c" / "raw").iterdir())
    assert raw_files == ["parallel.jsonl", "python.jsonl", "rust.jsonl"]
    assert len(read_jsonl(tmp_path / "c" / "raw" / "parallel.jsonl")) == 6


def test_a_damaged_file_is_regenerated(tmp_path: Path):
    catalog = write_corpus(tmp_path / "c", n_programs=3, seed=2, languages=["python"])
    original = (tmp_path / "c" / "raw" / "python.jsonl").read_bytes()
    (tmp_path / "c" / "raw" / "python.jsonl").write_text("truncated")
    write_corpus(catalog.parent, n_programs=3, seed=2, languages=["python"])
    assert (tmp_path / "c" / "raw" / "python.jsonl").read_bytes() == original


def test_no_temporary_files_are_left_behind(corpus: Path):
    assert not [p for p in corpus.parent.rglob("*") if ".tmp-" in p.name]


def test_languages_without_the_pivot_are_refused(tmp_path: Path):
    with pytest.raises(CodescaleError, match="pivot 'python'"):
        write_corpus(tmp_path / "c", n_programs=3, languages=["java", "go"])
    assert not (tmp_path / "c").exists()


def test_zero_programs_are_refused(tmp_path: Path):
    with pytest.raises(CodescaleError, match="n_programs"):
        write_corpus(tmp_path / "c", n_programs=0)


def test_held_out_translation_programs_become_the_catalogs_translation_set(tmp_path: Path):
    catalog = write_corpus(tmp_path / "c", n_programs=6, seed=1, languages=["python", "go"], translation_programs=4)
    document = yaml.safe_load(catalog.read_text())
    assert document["translation_eval"] == {"path": "raw/translation_eval.jsonl"}
    assert document["decontamination"] == {"ngram": 30}  # template phrases would otherwise drop half the corpus
    held_out = read_jsonl(tmp_path / "c" / "raw" / "translation_eval.jsonl")
    assert [row["id"] for row in held_out] == [f"heldout-{i:06d}" for i in range(4)]
    assert all(set(row) == {"id", "python", "go"} for row in held_out)
    training = {g["python"] for g in read_jsonl(tmp_path / "c" / "raw" / "parallel.jsonl")}
    training |= {row["content"] for row in read_jsonl(tmp_path / "c" / "raw" / "python.jsonl")}
    assert not {row["python"] for row in held_out} & training


def test_functions_bound_the_program_size_and_vocab_size_reaches_the_catalog(tmp_path: Path):
    short = write_corpus(
        tmp_path / "short", n_programs=20, seed=1, languages=["python"], functions=(1, 1), vocab_size=1024
    )
    long = write_corpus(tmp_path / "long", n_programs=20, seed=1, languages=["python"])
    count = [
        sum(
            row["content"].count("\ndef ") - row["content"].count("\ndef main(")
            for row in read_jsonl(c.parent / "raw" / "python.jsonl")
        )
        for c in (short, long)
    ]
    assert count[0] == 20 and count[1] >= 40  # one function besides main, against two to five
    assert yaml.safe_load(short.read_text())["tokenizer"]["vocab_size"] == 1024


def test_changing_an_option_back_to_its_default_rewrites_the_corpus(tmp_path: Path):
    write_corpus(tmp_path / "c", n_programs=3, seed=2, languages=["python"], functions=(1, 1), translation_programs=2)
    catalog = write_corpus(tmp_path / "c", n_programs=3, seed=2, languages=["python"])
    assert yaml.safe_load(catalog.read_text())["translation_eval"] == {"path": None}
    assert not (tmp_path / "c" / "raw" / "translation_eval.jsonl").exists()
    assert json.loads((tmp_path / "c" / "synthetic.json").read_text()).get("functions") is None


def test_bad_function_ranges_are_refused(tmp_path: Path):
    with pytest.raises(CodescaleError, match="functions"):
        write_corpus(tmp_path / "c", n_programs=3, functions=(2, 1))
    with pytest.raises(CodescaleError, match="functions"):
        write_corpus(tmp_path / "c", n_programs=3, functions=(0, 2))


def test_data_generate_passes_the_size_vocabulary_and_held_out_options(tmp_path: Path, capsys):
    from codescale.core.cli import main

    assert (
        main(
            [
                "data",
                "generate",
                "-o",
                str(tmp_path / "c"),
                "--programs",
                "3",
                "--languages",
                "python",
                "java",
                "--functions",
                "1-2",
                "--vocab-size",
                "1024",
                "--translation-programs",
                "2",
            ]
        )
        == 0
    )
    recorded = json.loads((tmp_path / "c" / "synthetic.json").read_text())
    assert (recorded["functions"], recorded["vocab_size"], recorded["translation_programs"]) == ([1, 2], 1024, 2)
    assert main(["data", "generate", "-o", str(tmp_path / "d"), "--programs", "3", "--functions", "two"]) == 2
    assert "--functions 'two' is not LO-HI" in capsys.readouterr().err
