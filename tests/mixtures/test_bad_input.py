"""Bad corpora: each gives one clear CodescaleError naming the source and the fix, and leaves nothing behind."""

from __future__ import annotations

import gzip
import json
import signal
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from mixtures_testing import make_corpus, program, write_catalog, write_jsonl

from codescale.core.errors import CodescaleError
from codescale.mixtures.prepare import prepare


def small_catalog(root: Path, python_source: dict | None = None, parallel: bool = False, **extra) -> Path:
    write_jsonl(root / "raw/java.jsonl", [{"content": program("java", i)} for i in range(8)])
    write_jsonl(root / "eval.jsonl", [{"python": program("python", 99), "java": program("java", 99)}])
    body = {
        "languages": {
            "python": {"sources": [python_source or {"path": "raw/python.jsonl"}]},
            "java": {"sources": [{"path": "raw/java.jsonl"}]},
        },
        "translation_eval": {"path": "eval.jsonl"},
        "tokenizer": {"vocab_size": 300, "sample_documents_per_language": 8},
        "validation": {"fraction": 0.0},
        **extra,
    }
    if parallel:
        body["parallel"] = {"path": "raw/parallel.jsonl", "pivot": "python"}
    return write_catalog(root, body)


def prepare_error(catalog: Path) -> str:
    out = catalog.parent / "prepared"
    with pytest.raises(CodescaleError) as err:
        prepare(catalog, out, progress=False)
    assert not out.exists()
    assert [p.name for p in catalog.parent.iterdir() if p.name.startswith(".")] == []
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
    write_jsonl(tmp_path / "raw/parallel.jsonl", [
        {"id": "a", "python": program("python", 1), "java": program("java", 1)},
        {"id": "b", "java": program("java", 2)},
    ])
    text = prepare_error(small_catalog(tmp_path, parallel=True))
    assert "parallel.jsonl:2 python: group 'b' has no python program (the pivot)" in text


def test_failure_after_shards_were_written_keeps_the_previous_corpus(tmp_path):
    catalog = make_corpus(tmp_path, documents=20, languages=("python", "java", "go"), parallel_groups=5)
    out = tmp_path / "prepared"
    before = prepare(catalog, out, progress=False)
    # go is read last (after python and java shards are complete): break it
    pq.write_table(pa.table({"lang": ["Go"], "content": pa.array([b"\xff"], type=pa.binary())}),
                   tmp_path / "raw/mixed.parquet")
    with pytest.raises(CodescaleError, match="not UTF-8"):
        prepare(catalog, out, progress=False)
    assert json.loads((out / "manifest.json").read_text()) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


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
    proc = subprocess.run([sys.executable, "-m", "codescale.core.cli", "data", "prepare", str(catalog), "-o",
                           str(tmp_path / "prepared"), "--quiet"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: ") and "python.jsonl:2 content: 'content' is int" in proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


# Each case runs the real `codescale data prepare` in a child process that sends itself a real SIGINT at one point of
# its work (a wrapper around the function that starts that phase), so the signal lands in that phase by construction:
# nothing depends on how fast the child is or how loaded the machine is. The child resets SIGINT to its default
# first, so an ignored SIGINT inherited from whoever started the tests (a background job) cannot hide the interrupt.
INTERRUPT_AT = """
import os, shutil, signal, sys, threading
import codescale.mixtures.prepare as prepare
import codescale.mixtures.tokenizer as tokenizer
from codescale.core.cli import main

phase, catalog, out = sys.argv[1:]
fired = []


def sigint():
    fired.append(phase)
    os.kill(os.getpid(), signal.SIGINT)


def on_call(owner, name, fire=sigint, once=True):
    real = getattr(owner, name)

    def wrapper(*args, **kwargs):
        if not (once and fired):
            fire()
        return real(*args, **kwargs)

    setattr(owner, name, wrapper)


if phase == "hashing":
    on_call(prepare, "_content_hash")
elif phase == "tokenizer":  # from another thread as the native trainer starts: held until it returns
    on_call(tokenizer, "train_tokenizer", fire=lambda: threading.Thread(target=sigint).start())
elif phase == "shards":  # from the writer thread, while the main thread tokenizes
    on_call(prepare.ShardWriter, "append")
elif phase == "parallel":
    on_call(prepare, "_parallel")
elif phase == "manifest":
    on_call(prepare, "write_manifest_db")
elif phase == "publish":  # between the renames that swap the new corpus in: the old one is already moved aside
    real_replace, real_publish = os.replace, prepare._publish

    def replace_once(*args, **kwargs):
        os.replace = real_replace
        real_replace(*args, **kwargs)
        sigint()

    def publish(*args, **kwargs):
        os.replace = replace_once
        return real_publish(*args, **kwargs)

    prepare._publish = publish
elif phase == "cleanup":  # a second Ctrl-C while the first one's cleanup removes the staging directory
    def again():
        if fired and "again" not in fired:
            fired.append("again")
            os.kill(os.getpid(), signal.SIGINT)

    on_call(prepare.ShardWriter, "append")
    on_call(shutil, "rmtree", fire=again, once=False)
status = main(["data", "prepare", catalog, "-o", out, "--quiet"])
print("fired:", ",".join(fired), file=sys.stderr)
sys.exit(status)
"""


@pytest.fixture(scope="module")
def prepared_before(tmp_path_factory):
    """A corpus and a corpus prepared from it; each case then changes one source, so prepare has work to do."""
    root = tmp_path_factory.mktemp("interrupt")
    catalog = make_corpus(root, documents=40, parallel_groups=10)
    prepare(catalog, root / "prepared", progress=False)
    return root


@pytest.mark.parametrize("phase", ["hashing", "tokenizer", "shards", "parallel", "manifest", "publish", "cleanup"])
def test_sigint_stops_prepare_in_every_phase_and_keeps_the_previous_output(prepared_before, tmp_path, phase):
    import shutil

    shutil.copytree(prepared_before, tmp_path, dirs_exist_ok=True)
    out = tmp_path / "prepared"
    old_manifest = (out / "manifest.json").read_text()
    write_jsonl(tmp_path / "raw/python/c.jsonl", [{"content": program("python", 77_777)}])  # new content, new hash
    proc = subprocess.run([sys.executable, "-c", INTERRUPT_AT, phase, str(tmp_path / "catalog.yaml"), str(out)],
                          capture_output=True, text=True, timeout=300,
                          preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    assert f"fired: {phase}" in proc.stderr, proc.stderr  # the signal was sent where this case says
    assert proc.returncode == 130 and "interrupted" in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no staging, no old copy left
    manifest = json.loads((out / "manifest.json").read_text())
    if phase == "publish":  # interrupted while swapping in: the new corpus is there, whole
        assert manifest["content_hash"] != json.loads(old_manifest)["content_hash"]
        assert prepare(tmp_path / "catalog.yaml", out, progress=False) == manifest  # up to date
    else:
        assert (out / "manifest.json").read_text() == old_manifest
    if phase == "cleanup":
        assert "fired: cleanup,again" in proc.stderr
