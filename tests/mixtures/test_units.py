"""Work units: files cut at line starts with the right line numbers, parquet row groups, segments in catalog order,
and unit keys that change exactly when a unit's output would."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
from mixtures_testing import program, write_catalog, write_jsonl

from codescale.core.catalog import Filters, load_catalog
from codescale.mixtures.documents import LabelMap, read_piece
from codescale.mixtures.units import plan_units


def corpus(tmp_path):
    write_jsonl(tmp_path / "raw/python.jsonl", [{"content": program("python", i)} for i in range(60)])
    pq.write_table(
        pa.table({"lang": ["Go", "Rust"] * 30, "content": [program("go", i) for i in range(60)]}),
        tmp_path / "raw/mixed.parquet",
        row_group_size=10,
    )
    mixed = {"path": "raw/mixed.parquet", "language_column": "lang"}
    return load_catalog(
        write_catalog(
            tmp_path,
            {
                "languages": {
                    "python": {"sources": [{"path": "raw/python.jsonl"}]},
                    "go": {"sources": [mixed]},
                    "rust": {"sources": [mixed]},
                }
            },
        )
    )


def test_jsonl_pieces_start_at_lines_and_know_their_line_numbers(tmp_path):
    catalog = corpus(tmp_path)
    units = [u for u in plan_units(catalog, 1_000).units if u.piece.path.name == "python.jsonl"]
    assert len(units) > 5
    data = (tmp_path / "raw/python.jsonl").read_bytes()
    lines = []
    for unit in units:
        piece = unit.piece
        assert piece.start == 0 or data[piece.start - 1 : piece.start] == b"\n"
        assert data[: piece.start].count(b"\n") + 1 == piece.first_row
        for batch in read_piece(piece, LabelMap({}), 1 << 20):
            lines += batch.rows
    assert lines == list(range(1, 61))  # every line read once, by number


def test_a_mixed_parquet_is_read_once_per_row_group_range_for_both_its_languages(tmp_path):
    catalog = corpus(tmp_path)
    layout = plan_units(catalog, 1)
    parquet = [u for u in layout.units if u.piece.path.name == "mixed.parquet"]
    assert len(parquet) == 6 and all(u.piece.targets == ("go", "rust") for u in parquet)
    assert [u.piece.first_row for u in parquet] == [1, 11, 21, 31, 41, 51]
    # segments: languages in catalog order, each file's pieces in order
    assert [s.language for s in layout.segments] == ["python"] * 60 + ["go"] * 6 + ["rust"] * 6
    go_segments = [u.segments[0] for u in parquet]
    assert go_segments == sorted(go_segments) and layout.segments[go_segments[0]].language == "go"


def test_unit_keys_follow_what_the_output_depends_on(tmp_path):
    from codescale.mixtures.decontam import EvalTexts
    from codescale.mixtures.prepare import work_settings

    catalog = corpus(tmp_path)
    evaluation = EvalTexts([], [], "none")
    settings = work_settings(catalog, tmp_path / "work", evaluation, None, "fail")
    keys = [u.with_key(settings.key(u.kind)).key for u in plan_units(catalog).units]
    assert len(set(keys)) == len(keys)
    same = work_settings(catalog, tmp_path / "work", evaluation, None, "skip")
    assert [u.with_key(same.key(u.kind)).key for u in plan_units(catalog).units] == keys
    stricter = type(settings)(**{**settings.__dict__, "filters": Filters(max_line_length=50)})
    assert [u.with_key(stricter.key(u.kind)).key for u in plan_units(catalog).units] != keys
    write_jsonl(tmp_path / "raw/python.jsonl", [{"content": program("python", 99)}])
    changed = [u.with_key(settings.key(u.kind)).key for u in plan_units(catalog).units]
    assert changed[0] != keys[0] and changed[1:] == keys[1:]  # only the changed file's unit
