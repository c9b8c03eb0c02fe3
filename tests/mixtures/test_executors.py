"""Where units run does not change what prepare writes: 1 worker, 2 workers, unit sizes, a submitit job array.

The submitit array runs through ``submitit.LocalExecutor`` here (every array task a local process: the code path of
``--executor slurm`` without a cluster); tests/slurm/test_prepare_slurm.py runs the same array on real Slurm.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from mixtures_testing import make_dirty_corpus, write_jsonl

from codescale.core.errors import CodescaleError
from codescale.mixtures.prepare import prepare, work_dir_of
from codescale.mixtures.units import plan_units

SMALL_UNITS = 6_000  # bytes: the dirty corpus is cut into 8 document units and 1 parallel unit


def prepared_bytes(prepared: Path) -> dict[str, bytes]:
    """Every file of a prepared corpus but the DuckDB copy of the manifest (its pages are not reproducible)."""
    return {
        str(p.relative_to(prepared)): p.read_bytes()
        for p in sorted(prepared.rglob("*"))
        if p.is_file() and p.name != "manifest.duckdb"
    }


@pytest.fixture(scope="module")
def dirty(tmp_path_factory):
    root = tmp_path_factory.mktemp("executors")
    catalog, _ = make_dirty_corpus(root)
    reference = root / "one-worker"
    prepare(catalog, reference, progress=False, workers=1, unit_bytes=SMALL_UNITS)
    return catalog, prepared_bytes(reference)


def test_the_corpus_is_split_into_many_units(dirty):
    from codescale.core.catalog import load_catalog

    catalog, _ = dirty
    units = plan_units(load_catalog(catalog), SMALL_UNITS).units
    assert sum(u.kind == "documents" for u in units) >= 8 and sum(u.kind == "parallel" for u in units) >= 1


def test_two_workers_write_the_same_bytes_as_one(dirty, tmp_path):
    catalog, reference = dirty
    prepare(catalog, tmp_path / "two", progress=False, workers=2, unit_bytes=SMALL_UNITS)
    assert prepared_bytes(tmp_path / "two") == reference


def test_the_unit_size_does_not_change_the_output(dirty, tmp_path):
    catalog, reference = dirty
    prepare(catalog, tmp_path / "whole-files", progress=False, workers=2)
    assert prepared_bytes(tmp_path / "whole-files") == reference


@pytest.mark.slow
def test_a_submitit_job_array_writes_the_same_bytes(dirty, tmp_path):
    pytest.importorskip("submitit")
    catalog, reference = dirty
    prepare(catalog, tmp_path / "array", progress=False, executor="submitit-local", unit_bytes=SMALL_UNITS)
    assert prepared_bytes(tmp_path / "array") == reference
    assert not work_dir_of(tmp_path / "array").exists()


def test_a_bad_row_stops_every_worker_and_names_the_row(tmp_path):
    rows = [{"content": f"def f{i}(x):\n    return x * {i}\n"} for i in range(400)]
    write_jsonl(tmp_path / "raw/a.jsonl", rows + [{"content": None}] + rows[:5])
    from mixtures_testing import write_catalog

    catalog = write_catalog(
        tmp_path,
        {
            "languages": {"python": {"sources": [{"path": "raw/a.jsonl"}]}},
            "tokenizer": {"vocab_size": 300, "sample_documents_per_language": 5},
            "decontamination": {"enabled": False},
        },
    )
    with pytest.raises(CodescaleError) as err:
        prepare(catalog, tmp_path / "out", progress=False, workers=2, unit_bytes=2_000)
    assert "raw/a.jsonl:401 content: 'content' is null, expected text" in err.value.render()
    assert not (tmp_path / "out").exists()
