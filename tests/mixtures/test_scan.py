"""codescale data scan (prepare's cleaning without tokens) and the `codescale data` command line."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from mixtures_testing import make_corpus, program, write_catalog, write_jsonl

from codescale.core.cli import main
from codescale.core.errors import CodescaleError
from codescale.mixtures.scan import scan_catalog


def test_scan_counts_documents_bytes_empties_and_duplicates(tmp_path):
    docs = [program("python", i) for i in range(5)]
    write_jsonl(tmp_path / "raw/a.jsonl", [{"content": d} for d in docs] + [{"content": docs[0]}, {"content": ""}])
    write_jsonl(tmp_path / "raw/b.jsonl.gz", [{"content": docs[1]}], gz=True)
    pq.write_table(
        pa.table(
            {"content": [program("go", 1), program("rust", 1), program("go", 1)], "lang": ["golang", "Rust", "Go"]}
        ),
        tmp_path / "raw/mixed.parquet",
    )
    catalog = write_catalog(
        tmp_path,
        {
            "languages": {
                "python": {"sources": [{"path": "raw/a.jsonl"}, {"path": "raw/b.jsonl.gz"}]},
                "go": {"sources": [{"path": "raw/mixed.parquet", "language_column": "lang"}]},
            }
        },
    )
    python, go = scan_catalog(catalog)
    assert (python.files, python.documents, python.empty, python.duplicates) == (2, 8, 1, 2)
    assert python.bytes == sum(len(d.encode()) for d in docs) + len(docs[0]) + len(docs[1])
    assert (go.files, go.documents, go.duplicates) == (1, 2, 1)


def test_scan_reports_a_missing_parquet_column_with_the_file(tmp_path):
    (tmp_path / "raw").mkdir()
    pq.write_table(pa.table({"text": ["x = 1"]}), tmp_path / "raw/a.parquet")
    catalog = write_catalog(tmp_path, {"languages": {"python": {"sources": [{"path": "raw/a.parquet"}]}}})
    with pytest.raises(CodescaleError) as err:
        scan_catalog(catalog)
    assert "raw/a.parquet content: no column 'content'; the file has text" in err.value.render()


def test_scan_lists_every_bad_row_and_names_the_one_prepare_would_stop_at(tmp_path, capsys):
    write_jsonl(tmp_path / "raw/a.jsonl", [{"text": "x = 1"}, {"content": program("python", 1)}, {"content": None}])
    catalog = write_catalog(tmp_path, {"languages": {"python": {"sources": [{"path": "raw/a.jsonl"}]}}})
    report = scan_catalog(catalog)
    assert [(row["line"], row["reason"]) for row in report.bad_rows] == [
        (1, "no 'content' key"),
        (3, "'content' is null, expected text"),
    ]
    assert "raw/a.jsonl:1 content: no 'content' key" in report.first_error.render()
    assert "set text_column" in report.first_error.render()
    assert main(["data", "scan", str(catalog)]) == 1
    captured = capsys.readouterr()
    assert "bad row: raw/a.jsonl line 3: 'content' is null" in captured.out
    assert "prepare --on-bad-row fail would stop at: " in captured.err and "a.jsonl:1" in captured.err
    assert main(["data", "scan", str(catalog), "--on-bad-row", "skip"]) == 0


def test_data_scan_prepare_and_tokenizer_commands(tmp_path, capsys):
    catalog = make_corpus(tmp_path, documents=20, languages=("python", "rust"), parallel_groups=5)
    assert main(["data", "scan", str(catalog), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["languages"]
    assert [(r["language"], r["documents"], r["kept"]["documents"]) for r in rows] == [
        ("python", 20, 20),
        ("rust", 20, 20),
    ]
    out = tmp_path / "prepared"
    assert main(["data", "prepare", str(catalog), "-o", str(out), "--quiet"]) == 0
    assert "2 languages" in capsys.readouterr().out
    assert main(["data", "prepare", str(catalog), "-o", str(out), "--quiet"]) == 0
    assert "up to date" in capsys.readouterr().out
    assert main(["data", "tokenizer", str(catalog), "-o", str(tmp_path / "tok")]) == 0
    assert (tmp_path / "tok/tokenizer.json").read_bytes() == (out / "tokenizer/tokenizer.json").read_bytes()
    assert json.loads((tmp_path / "tok/tokenizer_config.json").read_text())["eos_token"] == "<|eos|>"


def test_data_generate_writes_a_catalog_that_scans(tmp_path, capsys):
    pytest.importorskip("codescale.mixtures.synthetic")
    out = tmp_path / "synthetic"
    assert (
        main(["data", "generate", "-o", str(out), "--programs", "3", "--seed", "1", "--languages", "python", "go"]) == 0
    )
    assert "catalog:" in capsys.readouterr().out
    rows = {r.language: r for r in scan_catalog(out / "catalog.yaml")}
    assert set(rows) == {"python", "go"} and rows["python"].documents == rows["go"].documents > 0


def test_scan_works_in_the_directory_it_is_given_and_leaves_it_empty(tmp_path):
    catalog = make_corpus(tmp_path, documents=10, languages=("python",), parallel_groups=3)
    report = scan_catalog(catalog, workers=1, work_dir=tmp_path / "scratch")
    assert report.languages[0].documents == 10
    assert list((tmp_path / "scratch").iterdir()) == []
