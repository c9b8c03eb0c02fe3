"""Bad corpora: each gives one clear CodescaleError naming the source and the fix, and leaves the output as it was.

A failed prepare may leave its work directory (``.prepared.work``) beside the output, holding only finished units
for the next run to reuse; never a staging directory or a half-written unit.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from mixtures_testing import make_corpus, program, write_catalog, write_jsonl

from codescale.core.errors import CodescaleError
from codescale.mixtures.prepare import prepare


def small_catalog(
    root: Path, python_source: dict | None = None, parallel: bool = False, languages_extra: dict | None = None, **extra
) -> Path:
    write_jsonl(root / "raw/java.jsonl", [{"content": program("java", i)} for i in range(8)])
    write_jsonl(root / "eval.jsonl", [{"python": program("python", 99), "java": program("java", 99)}])
    body = {
        "languages": {
            "python": {"sources": [python_source or {"path": "raw/python.jsonl"}]},
            "java": {"sources": [{"path": "raw/java.jsonl"}]},
            **(languages_extra or {}),
        },
        "translation_eval": {"path": "eval.jsonl"},
        "tokenizer": {"vocab_size": 300, "sample_documents_per_language": 8},
        "validation": {"fraction": 0.0},
        "decontamination": {"enabled": False},
        **extra,
    }
    if parallel:
        body["parallel"] = {"path": "raw/parallel.jsonl", "pivot": "python"}
    return write_catalog(root, body)


def only_finished_work_left(root: Path) -> None:
    """Nothing hidden beside the output but a work directory of finished units."""
    hidden = [p.name for p in root.iterdir() if p.name.startswith(".")]
    assert hidden in ([], [".prepared.work"])
    if hidden:
        units = root / ".prepared.work" / "units"
        assert all((unit / "unit.json").is_file() for unit in units.iterdir())


def prepare_error(catalog: Path) -> str:
    out = catalog.parent / "prepared"
    with pytest.raises(CodescaleError) as err:
        prepare(catalog, out, progress=False)
    assert not out.exists()
    only_finished_work_left(catalog.parent)
    return err.value.render()


def python_lines(root: Path, lines: list[bytes]) -> None:
    (root / "raw").mkdir(parents=True, exist_ok=True)
    (root / "raw/python.jsonl").write_bytes(b"".join(line + b"\n" for line in lines))


def good(i: int) -> bytes:
    return json.dumps({"content": program("python", i)}).encode()


def test_missing_source_file(tmp_path):
    catalog = small_catalog(tmp_path)
    text = prepare_error(catalog)
    assert "catalog.yaml:" in text and "languages.python.sources[0].path: no file matches 'raw/python.jsonl'" in text
    assert "fix the path" in text


def test_missing_text_key_names_the_line_and_column(tmp_path):
    python_lines(tmp_path, [good(0), good(1), json.dumps({"code": "x = 1"}).encode()])
    text = prepare_error(small_catalog(tmp_path))
    assert "raw/python.jsonl:3 content: no 'content' key" in text and "set text_column" in text


def test_null_text_is_refused(tmp_path):
    python_lines(tmp_path, [good(0), json.dumps({"content": None}).encode()])
    assert "python.jsonl:2 content: 'content' is null, expected text" in prepare_error(small_catalog(tmp_path))


def test_wrong_parquet_column_lists_the_columns_there(tmp_path):
    (tmp_path / "raw").mkdir()
    pq.write_table(pa.table({"code": [program("python", 1)], "lang": ["py"]}), tmp_path / "raw/python.parquet")
    text = prepare_error(small_catalog(tmp_path, {"path": "raw/python.parquet"}))
    assert "raw/python.parquet content: no column 'content'; the file has code, lang" in text


def test_undecodable_bytes_in_jsonl_name_the_line(tmp_path):
    python_lines(tmp_path, [good(0), good(1), b'{"content": "x = \xff\xfe"}'])
    text = prepare_error(small_catalog(tmp_path))
    assert "python.jsonl:3" in text and "not UTF-8" in text and "re-encode" in text


def test_undecodable_bytes_in_a_parquet_binary_column_name_the_row(tmp_path):
    (tmp_path / "raw").mkdir()
    texts = [program("python", 1).encode(), b"def f():\n    return '\xff'\n"]
    pq.write_table(pa.table({"content": pa.array(texts, type=pa.binary())}), tmp_path / "raw/python.parquet")
    text = prepare_error(small_catalog(tmp_path, {"path": "raw/python.parquet"}))
    assert "python.parquet content: row 2: bytes" in text and "not UTF-8" in text


def test_line_that_is_not_json(tmp_path):
    python_lines(tmp_path, [good(0), b"def f(): pass"])
    assert "python.jsonl:2:1 not a JSON object" in prepare_error(small_catalog(tmp_path))


def test_truncated_gzip_is_refused(tmp_path):
    data = gzip.compress(b"".join(good(i) + b"\n" for i in range(50)))
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw/python.jsonl.gz").write_bytes(data[: len(data) // 2])
    text = prepare_error(small_catalog(tmp_path, {"path": "raw/python.jsonl.gz"}))
    assert "python.jsonl.gz cannot read file" in text


def test_empty_language_names_the_language_and_its_sources(tmp_path):
    python_lines(tmp_path, [json.dumps({"content": ""}).encode(), json.dumps({"content": ""}).encode()])
    text = prepare_error(small_catalog(tmp_path))
    assert "languages.python.sources: no python training documents in raw/python.jsonl" in text


def test_language_column_that_never_matches_is_an_empty_language(tmp_path):
    (tmp_path / "raw").mkdir()
    pq.write_table(pa.table({"content": [program("java", 1)], "lang": ["Java"]}), tmp_path / "raw/python.parquet")
    text = prepare_error(small_catalog(tmp_path, {"path": "raw/python.parquet", "language_column": "lang"}))
    assert "no python training documents" in text and "language_column" in text


def test_parallel_group_without_the_pivot_names_its_line(tmp_path):
    python_lines(tmp_path, [good(i) for i in range(8)])
    write_jsonl(
        tmp_path / "raw/parallel.jsonl",
        [
            {"id": "a", "python": program("python", 1), "java": program("java", 1)},
            {"id": "b", "java": program("java", 2)},
        ],
    )
    text = prepare_error(small_catalog(tmp_path, parallel=True))
    assert "parallel.jsonl:2 python: group 'b' has no python program (the pivot)" in text


def test_failure_after_shards_were_written_keeps_the_previous_corpus(tmp_path):
    catalog = make_corpus(tmp_path, documents=20, languages=("python", "java", "go"), parallel_groups=5)
    out = tmp_path / "prepared"
    before = prepare(catalog, out, progress=False)
    # go is read last (after python and java shards are complete): break it
    pq.write_table(
        pa.table({"lang": ["Go"], "content": pa.array([b"\xff"], type=pa.binary())}), tmp_path / "raw/mixed.parquet"
    )
    with pytest.raises(CodescaleError, match="not UTF-8"):
        prepare(catalog, out, progress=False)
    assert json.loads((out / "manifest.json").read_text()) == before
    only_finished_work_left(tmp_path)


def test_output_directory_that_is_not_a_prepared_corpus_is_not_overwritten(tmp_path):
    python_lines(tmp_path, [good(i) for i in range(8)])
    out = tmp_path / "prepared"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    with pytest.raises(CodescaleError, match="is not a prepared corpus"):
        prepare(small_catalog(tmp_path), out, progress=False)
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


def test_cli_prints_one_line_and_exits_2(tmp_path):
    python_lines(tmp_path, [good(0), b'{"content": 3}'])
    catalog = small_catalog(tmp_path)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "codescale.core.cli",
            "data",
            "prepare",
            str(catalog),
            "-o",
            str(tmp_path / "prepared"),
            "--quiet",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: ") and "python.jsonl:2 content: 'content' is int" in proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def bad_corpus(root: Path) -> Path:
    """python.jsonl with six kinds of bad rows between good ones, and a parquet with two more."""
    python_lines(
        root,
        [
            good(0),
            b'{"content": null}',
            good(1),
            b"[1, 2]",
            b'{"content": "x = \xff"}',
            good(2),
            b'{"code": "y"}',
            b'{"content": "x = \\ud800"}',
            b'{"content": "' + b"a" * 100_000 + b'"}',
            good(3),
        ],
    )
    pq.write_table(
        pa.table({"content": pa.array([program("java", 1).encode(), None, b"int x = '\xfe';"], type=pa.binary())}),
        root / "raw/java.parquet",
    )
    return small_catalog(
        root, languages_extra={"java": {"sources": [{"path": "raw/java.parquet"}]}}, filters={"max_file_bytes": 1000}
    )


def test_skipped_bad_rows_go_to_quarantine_with_file_row_and_reason(tmp_path):
    catalog = bad_corpus(tmp_path)
    manifest = prepare(catalog, tmp_path / "prepared", progress=False, on_bad_row="skip")
    entries = [json.loads(line) for line in (tmp_path / "prepared/quarantine.jsonl").read_text().splitlines()]
    assert [(e["file"], e.get("line", e.get("row"))) for e in entries] == [
        ("raw/python.jsonl", 2),
        ("raw/python.jsonl", 4),
        ("raw/python.jsonl", 5),
        ("raw/python.jsonl", 7),
        ("raw/python.jsonl", 8),
        ("raw/python.jsonl", 9),
        ("raw/java.parquet", 2),
        ("raw/java.parquet", 3),
    ]
    reasons = [e["reason"] for e in entries]
    assert reasons[0] == "'content' is null, expected text" and reasons[1] == "not a JSON object"
    assert "not UTF-8" in reasons[2] and reasons[3] == "no 'content' key" and "unpaired surrogates" in reasons[4]
    assert "over the reader's limit of 73,536" in reasons[5] and len(entries[5]["excerpt"]) == 0
    assert all(len(e["excerpt"]) <= 70 for e in entries)
    cleaning = manifest["cleaning"]
    assert cleaning["quarantine"] == {"file": "quarantine.jsonl", "rows": 8}
    assert (cleaning["languages"]["python"]["bad_rows"], cleaning["languages"]["java"]["bad_rows"]) == (6, 2)
    assert cleaning["languages"]["python"]["kept"]["documents"] == 4


def test_fail_stops_at_the_first_bad_row_scan_names_and_quotes_only_an_excerpt(tmp_path):
    from codescale.mixtures.scan import scan_catalog

    python_lines(tmp_path, [good(0), b'{"content": "' + b"long = 1\\n" * 400 + b'x = \xff"}'])
    catalog = small_catalog(tmp_path)
    report = scan_catalog(catalog, workers=1)
    text = prepare_error(catalog)
    assert text == report.first_error.render()
    assert "python.jsonl:2" in text and "not UTF-8" in text and "near '" in text
    assert len(text) < 400  # the 4 KB row is quoted by a short excerpt, not whole


def test_a_corpus_prepared_with_skipped_rows_is_not_up_to_date_for_fail(tmp_path):
    catalog = bad_corpus(tmp_path)
    out = tmp_path / "prepared"
    before = prepare(catalog, out, progress=False, on_bad_row="skip")
    assert prepare(catalog, out, progress=False, on_bad_row="skip") == before
    with pytest.raises(CodescaleError, match="'content' is null"):
        prepare(catalog, out, progress=False, on_bad_row="fail")
    assert json.loads((out / "manifest.json").read_text()) == before


def test_a_parallel_group_without_the_pivot_is_quarantined_with_skip(tmp_path):
    python_lines(tmp_path, [good(i) for i in range(8)])
    write_jsonl(
        tmp_path / "raw/parallel.jsonl",
        [
            {"id": "a", "python": program("python", 1), "java": program("java", 1)},
            {"id": "b", "java": program("java", 2)},
        ],
    )
    manifest = prepare(small_catalog(tmp_path, parallel=True), tmp_path / "prepared", progress=False, on_bad_row="skip")
    assert manifest["parallel"]["groups"] == 1
    entry = json.loads((tmp_path / "prepared/quarantine.jsonl").read_text())
    assert (entry["file"], entry["line"], entry["reason"]) == (
        "raw/parallel.jsonl",
        2,
        "group 'b' has no python program (the pivot)",
    )
