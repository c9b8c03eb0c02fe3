"""prepare + PreparedCorpus: shards round-trip, deterministic splits, content addressing, eval sets, manifests."""

from __future__ import annotations

import json

import duckdb
import numpy as np
import pytest
from mixtures_testing import make_corpus, program, write_jsonl
from tokenizers import Tokenizer

from codescale.core.errors import CodescaleError
from codescale.mixtures import PreparedCorpus
from codescale.mixtures.prepare import is_held_out, prepare


@pytest.fixture(scope="module")
def corpus(prepared) -> PreparedCorpus:
    return PreparedCorpus(prepared)


def decode_documents(corpus: PreparedCorpus, lang: str, split: str) -> list[str]:
    tokenizer = Tokenizer.from_file(str(corpus.tokenizer_dir / "tokenizer.json"))
    shard = corpus.split(lang, split)
    return [tokenizer.decode(shard.document(i).tolist()) for i in range(shard.documents)]


def test_shards_decode_back_to_the_source_documents_split_by_content_hash(corpus):
    python_docs = [program("python", 1000 * len("python") + i, 2) for i in range(120)]
    train, valid = decode_documents(corpus, "python", "train"), decode_documents(corpus, "python", "valid")
    assert train == [d for d in python_docs if not is_held_out(d, 0.1)]
    assert valid == [d for d in python_docs if is_held_out(d, 0.1)]
    assert 0 < len(valid) < 30


def test_every_document_ends_in_eos_and_counts_match_the_manifest(corpus):
    for lang in corpus.languages:
        for split in ("train", "valid"):
            shard = corpus.split(lang, split)
            facts = corpus.manifest["languages"][lang][split]
            assert (shard.documents, len(shard.tokens)) == (facts["documents"], facts["tokens"])
            assert (shard.tokens[shard.offsets[1:] - 1] == corpus.eos_id).all()
            assert shard.tokens.dtype == np.uint16


def test_parquet_language_column_keeps_only_that_languages_rows(corpus):
    rust = decode_documents(corpus, "rust", "train") + decode_documents(corpus, "rust", "valid")
    assert len(rust) == 120 and all(doc.startswith("fn ") for doc in rust)


def test_tokenizer_loads_in_torchtitan_with_our_special_tokens(corpus):
    pytest.importorskip("torchtitan")
    from torchtitan.components.tokenizer import HuggingFaceTokenizer

    titan = HuggingFaceTokenizer(tokenizer_path=str(corpus.tokenizer_dir))
    assert titan.eos_id == corpus.eos_id and titan.get_vocab_size() == corpus.vocab_size
    ids = titan.encode("def f(x):\n    return x\n", add_bos=False, add_eos=False)
    assert titan.decode(ids) == "def f(x):\n    return x\n"


def test_translation_examples_score_only_the_target(corpus):
    tokenizer = Tokenizer.from_file(str(corpus.tokenizer_dir / "tokenizer.json"))
    inputs, labels = corpus.translation_examples("java", "python", seq_len=256, max_examples=10)
    assert inputs.shape == labels.shape == (5, 256)
    for row in range(5):
        scored = labels[row][labels[row] != -100]
        assert scored[-1] == corpus.eos_id
        assert tokenizer.decode(scored.tolist()) == program("python", 20000 + row)
        context = tokenizer.decode(inputs[row][: np.argmax(labels[row] != -100) + 1].tolist())
        assert context.startswith(program("java", 20000 + row))
        assert context.endswith("// Translate the above Java code to Python:\n")
    assert set(corpus.manifest["translation"]) == {
        f"{a}->{b}" for a in corpus.languages for b in corpus.languages if a != b
    }


def test_long_translation_examples_keep_the_target_start(corpus):
    inputs, labels = corpus.translation_examples("python", "rust", seq_len=40, max_examples=2)
    assert inputs.shape == (2, 40)
    assert (labels[:, -1] != -100).all() and (labels[:, 0] == -100).all()


def test_validation_batches_are_fixed_windows_of_held_out_tokens(corpus):
    batches = corpus.validation_batches("java", seq_len=32, max_sequences=5)
    assert batches.shape == (5, 33) and batches.dtype == np.int64
    stream = corpus.tokens("java", "valid")
    assert (batches.ravel() == stream[: 5 * 33]).all()


def test_duckdb_manifest_holds_the_same_counts(corpus):
    con = duckdb.connect(str(corpus.path / "manifest.duckdb"), read_only=True)
    rows = con.execute("SELECT language, split, documents, tokens FROM splits ORDER BY language, split").fetchall()
    con.close()
    expected = sorted(
        (lang, split, facts["documents"], facts["tokens"])
        for lang, splits in corpus.manifest["languages"].items()
        for split, facts in splits.items()
    )
    assert rows == expected


def test_rerun_is_a_no_op_and_a_changed_input_rebuilds(tmp_path):
    catalog = make_corpus(tmp_path, documents=30, languages=("python", "java"), parallel_groups=10)
    out = tmp_path / "prepared"
    first = prepare(catalog, out, progress=False)
    shard = out / "python/train-00000.bin"
    stamp = shard.stat().st_mtime_ns
    assert prepare(catalog, out, progress=False) == first
    assert shard.stat().st_mtime_ns == stamp
    write_jsonl(tmp_path / "raw/python/b.jsonl", [{"content": program("python", 777)}])
    second = prepare(catalog, out, progress=False)
    assert second["content_hash"] != first["content_hash"]
    assert json.loads((out / "manifest.json").read_text())["content_hash"] == second["content_hash"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_existing_tokenizer_is_used_as_given(tmp_path, corpus):
    catalog = make_corpus(tmp_path, documents=20, languages=("python", "go"), parallel_groups=5)
    text = catalog.read_text().replace("vocab_size: 400", f"path: {corpus.tokenizer_dir / 'tokenizer.json'}")
    catalog.write_text(text)
    manifest = prepare(catalog, tmp_path / "prepared", progress=False)
    assert manifest["tokenizer"]["sha256"] == corpus.manifest["tokenizer"]["sha256"]
    assert manifest["tokenizer"]["eos_id"] == corpus.eos_id


def test_synthetic_corpus_prepares_with_the_hand_written_eval_set(tmp_path):
    synthetic = pytest.importorskip("codescale.mixtures.synthetic")
    evalsets = pytest.importorskip("codescale.mixtures.evalsets")
    catalog = synthetic.write_corpus(tmp_path / "corpus", 40, seed=2, languages=["python", "go", "rust"])
    manifest = prepare(catalog, tmp_path / "prepared", progress=False)
    tasks = evalsets.translation_tasks()
    assert manifest["translation"]["go->rust"]["examples"] == len(tasks)
    assert manifest["translation"]["go->rust"]["source"] == "codescale.mixtures.evalsets"
    assert manifest["parallel"]["languages"] == ["python", "go", "rust"]
    corpus = PreparedCorpus(tmp_path / "prepared")
    tokenizer = Tokenizer.from_file(str(corpus.tokenizer_dir / "tokenizer.json"))
    _, labels = corpus.translation_examples("python", "go", seq_len=4096, max_examples=1)
    assert tokenizer.decode(labels[0][labels[0] != -100].tolist()) == tasks[0]["go"]


def test_reading_errors_name_the_directory_and_the_fix(tmp_path, corpus):
    with pytest.raises(CodescaleError, match="not a prepared corpus .*run `codescale data prepare"):
        PreparedCorpus(tmp_path)
    with pytest.raises(CodescaleError, match="java has .* validation tokens, fewer than one sequence of 100001"):
        corpus.validation_batches("java", seq_len=100_000, max_sequences=1)
    with pytest.raises(CodescaleError, match="no translation eval set for python->csharp"):
        corpus.translation_examples("python", "csharp", seq_len=64, max_examples=1)
    (tmp_path / "manifest.json").write_text(json.dumps({"format": "codescale.prepared/2"}))
    with pytest.raises(CodescaleError, match="format 'codescale.prepared/2' is a version this codescale cannot read"):
        PreparedCorpus(tmp_path)


def test_a_damaged_manifest_is_rebuilt_not_trusted(tmp_path):
    catalog = make_corpus(tmp_path, documents=20, languages=("python", "java"), parallel_groups=5)
    out = tmp_path / "prepared"
    first = prepare(catalog, out, progress=False, workers=1)
    (out / "manifest.json").write_text('{"format": "codescale.prepared/1", "trunc')
    assert prepare(catalog, out, progress=False, workers=1) == first
    assert json.loads((out / "manifest.json").read_text()) == first
