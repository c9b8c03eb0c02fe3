"""`--check-data`: the catalog a plan names exists, covers its languages, and has a parallel corpus when paired."""

from pathlib import Path

from codescale.core.cli import main
from codescale.core.contracts import PreparedManifest

FIXTURES = Path(__file__).parent / "fixtures"
DEMO_PAIRING = FIXTURES / "cli_pairing.yaml"  # tiny study specs, independent of the demo


def _catalog(tmp_path: Path, languages: tuple[str, ...], parallel: bool) -> Path:
    for lang in languages:
        (tmp_path / "raw").mkdir(exist_ok=True)
        (tmp_path / "raw" / f"{lang}.jsonl").write_text('{"content": "x"}\n')
    lines = ["name: test", "languages:"]
    lines += [f"  {lang}:\n    sources: [{{path: raw/{lang}.jsonl}}]" for lang in languages]
    if parallel:
        (tmp_path / "raw" / "parallel.jsonl").write_text('{"id": "1", "python": "x", "java": "y"}\n')
        lines += ["parallel:", "  path: raw/parallel.jsonl", "  pivot: python"]
    path = tmp_path / "catalog.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def _manifest(tokens: dict[str, int], vocab: int) -> PreparedManifest:
    """A prepared-corpus manifest with only token counts (no shards are read by the compiler)."""
    return PreparedManifest(
        catalog="catalog.yaml",
        content_hash="0",
        dtype="uint16",
        validation={"fraction": 0.02},
        parallel=None,
        tokenizer={"dir": "tokenizer", "sha256": "0", "vocab_size": vocab, "bos_id": 0, "eos_id": 1, "pad_id": 2},
        languages={lang: {"train": {"documents": 1, "tokens": n, "shards": []}} for lang, n in tokens.items()},
        translation={},
    )


def _prepared(tmp_path: Path, tokens: int) -> Path:
    prepared = tmp_path / "prepared"
    prepared.mkdir()
    manifest = _manifest({lang: tokens for lang in ("python", "java", "go")}, 2048)
    (prepared / "manifest.json").write_text(manifest.to_json())
    return prepared


def test_check_data_accepts_a_catalog_that_covers_the_plan(tmp_path, capsys):
    catalog = _catalog(tmp_path, ("python", "java", "go"), parallel=True)
    prepared = _prepared(tmp_path, tokens=10**6)
    assert (
        main(["validate", str(DEMO_PAIRING), "--corpus", str(catalog), "--prepared", str(prepared), "--check-data"])
        == 0
    )
    assert "ok, 3 runs" in capsys.readouterr().out


def test_check_data_refuses_quotas_beyond_the_repetition_cap(tmp_path, capsys):
    catalog = _catalog(tmp_path, ("python", "java", "go"), parallel=True)
    prepared = _prepared(tmp_path, tokens=1000)
    spec = FIXTURES / "cli_synergy.yaml"
    assert main(["validate", str(spec), "--corpus", str(catalog), "--prepared", str(prepared), "--check-data"]) == 2
    err = capsys.readouterr().err
    assert (
        "run mix-python-java-" in err and "needs 81,920 python tokens, more than 1,000 available × max_epochs 1" in err
    )
    assert "repeats python 2 times from 81,920 unique tokens, more than 1,000 available" in err


def test_check_data_reports_missing_languages_and_parallel_corpus(tmp_path, capsys):
    catalog = _catalog(tmp_path, ("python", "java"), parallel=False)
    prepared = _prepared(tmp_path, tokens=10**6)
    assert (
        main(["validate", str(DEMO_PAIRING), "--corpus", str(catalog), "--prepared", str(prepared), "--check-data"])
        == 2
    )
    err = capsys.readouterr().err
    assert f"{catalog} languages: run pairing-none-" in err and "needs go, which the catalog has no sources for" in err
    assert "pairs code with translations, but the catalog has no parallel corpus" in err


def test_check_data_reports_a_missing_catalog_file(tmp_path, capsys):
    assert main(["validate", str(DEMO_PAIRING), "--corpus", str(tmp_path / "none.yaml"), "--check-data"]) == 2
    assert f"{tmp_path / 'none.yaml'} file not found (check the path)" in capsys.readouterr().err
