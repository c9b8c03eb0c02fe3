"""Generation-eval results in the store: ingested with the runs, replaced (never duplicated), joined to losses."""

from __future__ import annotations

import duckdb
from generation_fixtures import write_result
from store_fixtures import make_run_dir

from codescale.laws import store
from codescale.laws.ingest import ingest_run_dirs


def _scores(db):
    con = store.connect(db, read_only=True)
    try:
        return con.execute(
            "SELECT run_id, step, metric, k, language, direction, value FROM generation_evals "
            "ORDER BY run_id, step, metric, language"
        ).fetchall()
    finally:
        con.close()


def test_ingest_stores_the_evaluations_of_the_runs_and_again_without_duplicates(tmp_path):
    run_dir = make_run_dir(tmp_path, "a-1", languages=("python", "java"))
    write_result(run_dir, "a-1", 100, {"python": 0.25, "java": 0.5}, bleu={"python->java": 12.5})
    db = tmp_path / "codescale.duckdb"
    report = ingest_run_dirs(db, [tmp_path / "runs"])
    assert report.generation_rows == 3 and "3 generation-eval rows" in report.summary()
    first = _scores(db)
    assert first == [
        ("a-1", 100, "bleu", None, "java", "python->java", 12.5),
        ("a-1", 100, "pass@k", 1, "java", None, 0.5),
        ("a-1", 100, "pass@k", 1, "python", None, 0.25),
    ]
    ingest_run_dirs(db, [tmp_path / "runs"], force=True)
    assert _scores(db) == first
    write_result(run_dir, "a-1", 100, {"python": 0.75, "java": 0.5})  # evaluated again (--force): replaced
    ingest_run_dirs(db, [tmp_path / "runs"])
    assert [row[-1] for row in _scores(db)] == [0.5, 0.75]


def test_reingesting_a_run_keeps_its_evaluations_and_another_step_adds_rows(tmp_path):
    run_dir = make_run_dir(tmp_path, "a-1", languages=("python",))
    write_result(run_dir, "a-1", 100, {"python": 0.25})
    db = tmp_path / "codescale.duckdb"
    ingest_run_dirs(db, [run_dir])
    (run_dir / "metrics.jsonl").write_text((run_dir / "metrics.jsonl").read_text())  # touched: re-ingested
    write_result(run_dir, "a-1", 50, {"python": 0.1})
    report = ingest_run_dirs(db, [run_dir])
    assert report.replaced == ["a-1"]
    assert [(r[1], r[-1]) for r in _scores(db)] == [(50, 0.1), (100, 0.25)]


def test_pass_vs_loss_pairs_a_checkpoint_with_the_latest_validation_loss_at_or_before_it(tmp_path):
    run_dir = make_run_dir(tmp_path, "a-1", languages=("python",), final_valid_loss={"python": 2.0})
    write_result(run_dir, "a-1", 100, {"python": 0.3})
    write_result(run_dir, "a-1", 75, {"python": 0.2})
    db = tmp_path / "codescale.duckdb"
    ingest_run_dirs(db, [run_dir])
    con = store.connect(db, read_only=True)
    rows = con.execute("SELECT step, pass_at_k, valid_loss, loss_step FROM pass_vs_loss ORDER BY step").fetchall()
    con.close()
    assert rows == [(75, 0.2, 2.5 + 1.0 / 50, 50), (100, 0.3, 2.0, 100)]


def test_a_damaged_result_is_reported_and_the_others_land(tmp_path):
    good = make_run_dir(tmp_path, "a-1", languages=("python",))
    bad = make_run_dir(tmp_path, "b-1", languages=("python",))
    write_result(good, "a-1", 100, {"python": 0.3})
    broken = write_result(bad, "b-1", 100, {"python": 0.3})
    broken.write_text('{"format": "codescale.evalresult/1", "run_id": "b-1"')
    report = ingest_run_dirs(tmp_path / "codescale.duckdb", [tmp_path / "runs"])
    assert report.failed and any(str(broken) in p.render() for p in report.problems)
    assert [r[0] for r in _scores(tmp_path / "codescale.duckdb")] == ["a-1"]


def test_a_version_1_store_is_migrated_with_one_more_schema_row(tmp_path):
    path = tmp_path / "old.duckdb"
    store.connect(path).close()
    con = duckdb.connect(str(path))  # make it look like a store written before generation evals existed
    con.execute("DROP VIEW pass_vs_loss")
    con.execute("DROP TABLE generation_evals")
    con.execute("DROP TABLE generation_tasks")
    con.execute("UPDATE schema_version SET version = 1")
    con.close()
    con = store.connect(path)
    assert {"generation_evals", "generation_tasks", "pass_vs_loss"} <= set(store.table_names(con))
    assert [v for (v,) in con.execute("SELECT version FROM schema_version ORDER BY version").fetchall()] == [
        1,
        store.SCHEMA_VERSION,
    ]
    con.close()
