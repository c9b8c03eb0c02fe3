"""The results store file: schema creation, reopening, transactions, and one writer at a time."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import duckdb
import numpy as np
import pytest

from codescale.core.errors import CodescaleError
from codescale.laws import store


def test_connect_creates_every_table_and_view_with_a_schema_version(tmp_path):
    con = store.connect(tmp_path / "new" / "results.duckdb")
    names = set(store.table_names(con))
    assert {"runs", "run_languages", "metrics", "evals", "ingest_log", "schema_version"} <= names
    assert {"final_loss", "translation_final", "synergy_pairs", "run_progress"} <= names
    assert con.execute("SELECT version FROM schema_version").fetchall() == [(store.SCHEMA_VERSION,)]
    run_columns = [r[0] for r in con.execute("DESCRIBE runs").fetchall()]
    for column in (
        "run_id",
        "study",
        "source",
        "languages",
        "params",
        "params_non_embedding",
        "tokens",
        "tokens_per_language",
        "proportions",
        "pairing_mode",
        "seed",
        "flops",
        "gpu_hours",
        "fingerprint",
    ):
        assert column in run_columns


def test_reconnecting_keeps_data_extra_tables_and_one_version_row(tmp_path):
    path = tmp_path / "results.duckdb"
    con = store.connect(path)
    con.execute("INSERT INTO runs (run_id, source, params) VALUES ('r1', 'import', 70000000)")
    con.execute("CREATE TABLE fits (fit_id VARCHAR, form VARCHAR)")  # what the analysis package adds
    con.execute("INSERT INTO fits VALUES ('f1', 'chinchilla')")
    con.close()
    con = store.connect(path)
    assert con.execute("SELECT run_id, params FROM runs").fetchall() == [("r1", 70000000)]
    assert con.execute("SELECT * FROM fits").fetchall() == [("f1", "chinchilla")]
    assert con.execute("SELECT count(*) FROM schema_version").fetchone() == (1,)


def test_a_version_1_store_is_migrated_step_by_step_and_keeps_its_data(tmp_path):
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))  # the schema codescale wrote before the mixture-law steps
    con.execute("CREATE TABLE schema_version (version INTEGER NOT NULL, migrated_at TIMESTAMP NOT NULL)")
    con.execute("INSERT INTO schema_version VALUES (1, now())")
    con.execute(
        "CREATE TABLE run_languages (run_id VARCHAR NOT NULL, language VARCHAR NOT NULL, position INTEGER, "
        "proportion DOUBLE, tokens BIGINT)"
    )
    con.execute("INSERT INTO run_languages VALUES ('r1', 'python', 0, 1.0, 1000)")
    con.execute("CREATE TABLE fits (fit_id VARCHAR PRIMARY KEY, kind VARCHAR NOT NULL)")
    con.execute("INSERT INTO fits VALUES ('f1', 'chinchilla')")
    con.close()
    con = store.connect(path)
    assert con.execute("SELECT run_id, tokens, unique_tokens FROM run_languages").fetchall() == [("r1", 1000, None)]
    assert con.execute("SELECT fit_id, unidentified FROM fits").fetchall() == [("f1", None)]
    assert "validations" in store.table_names(con)
    assert [v for (v,) in con.execute("SELECT version FROM schema_version ORDER BY version").fetchall()] == [
        1,
        store.SCHEMA_VERSION,
    ]
    con.close()
    con = store.connect(path)  # nothing left to migrate: no new version row
    assert con.execute("SELECT count(*) FROM schema_version").fetchone() == (2,)


def test_default_path_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(store.DB_ENV, str(tmp_path / "env.duckdb"))
    store.connect().close()
    assert (tmp_path / "env.duckdb").exists()


def test_read_only_open_of_a_missing_store_says_how_to_make_one(tmp_path):
    with pytest.raises(CodescaleError) as err:
        store.connect(tmp_path / "absent.duckdb", read_only=True)
    assert "absent.duckdb" in err.value.render() and "codescale ingest" in err.value.render()
    assert not (tmp_path / "absent.duckdb").exists()


def test_a_foreign_duckdb_file_is_refused_read_only(tmp_path):
    path = tmp_path / "other.duckdb"
    duckdb.connect(str(path)).execute("CREATE TABLE t (x INT)").close()
    with pytest.raises(CodescaleError, match="not a codescale results store"):
        store.connect(path, read_only=True)


def test_a_store_from_a_newer_codescale_is_refused(tmp_path):
    path = tmp_path / "future.duckdb"
    store.connect(path).execute("INSERT INTO schema_version VALUES (99, now())").close()
    with pytest.raises(CodescaleError, match="schema version 99"):
        store.connect(path)


def test_a_file_that_is_not_duckdb_is_a_clear_error(tmp_path):
    path = tmp_path / "notes.duckdb"
    path.write_text("these are my notes\n" * 100)
    with pytest.raises(CodescaleError) as err:
        store.connect(path)
    assert "notes.duckdb" in err.value.render()
    assert path.read_text().startswith("these are my notes")


def test_a_failed_transaction_leaves_the_store_as_it_was(tmp_path):
    con = store.connect(tmp_path / "results.duckdb")
    con.execute("INSERT INTO runs (run_id, source, params) VALUES ('r1', 'import', 1)")
    with pytest.raises(RuntimeError):
        with store.transaction(con):
            store.delete_runs(con, ["r1"])
            con.execute("INSERT INTO runs (run_id, source, params) VALUES ('r2', 'import', 2)")
            raise RuntimeError("disk on fire")
    assert con.execute("SELECT run_id, params FROM runs").fetchall() == [("r1", 1)]


def test_insert_rows_matches_columns_by_name_and_takes_numpy_values_and_dicts_for_json(tmp_path):
    con = store.connect(tmp_path / "results.duckdb")
    store.insert_rows(
        con,
        "runs",
        [
            {"source": "simulate", "run_id": "s1", "languages": ["python", "go"]},
            {
                "run_id": "s2",
                "source": "simulate",
                "params": np.int64(7),
                "flops": np.float32(0.5),
                "proportions": {"go": np.float64(1.0)},
                "seed": np.int32(3),
            },
        ],
    )
    assert con.execute(
        "SELECT run_id, source, languages, params, flops, proportions->>'go', seed FROM runs"
    ).fetchall() == [
        ("s1", "simulate", ["python", "go"], None, None, None, None),
        ("s2", "simulate", None, 7, 0.5, "1.0", 3),
    ]
    with pytest.raises(ValueError, match="no column"):
        store.insert_rows(con, "runs", [{"run_id": "s3", "source": "import", "colour": "red"}])


HOLD = textwrap.dedent("""
    import sys, time
    from codescale.laws import store
    con = store.connect(sys.argv[1])
    print("holding", flush=True)
    time.sleep(float(sys.argv[2]))
    con.close()
""")


def test_a_second_process_waits_for_the_writer_or_fails_naming_the_file(tmp_path):
    path = tmp_path / "busy.duckdb"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(path), "2.5"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        with pytest.raises(CodescaleError) as err:
            store.connect(path, wait_s=0.3)
        message = err.value.render()
        assert "busy.duckdb" in message and "in use by another process" in message and f"PID {holder.pid}" in message
        started = time.monotonic()
        con = store.connect(path, wait_s=30)  # waits for the holder to let go
        assert time.monotonic() - started > 0.5
        assert "runs" in store.table_names(con)
        con.close()
    finally:
        holder.wait(timeout=30)


WRITE_ONE = textwrap.dedent("""
    import sys
    from codescale.laws import store
    con = store.connect(sys.argv[1], wait_s=60)
    store.insert_rows(con, "runs", [{"run_id": sys.argv[2], "source": "simulate"}])
    con.close()
""")


def test_processes_racing_to_create_a_new_store_all_get_it(tmp_path):
    path = tmp_path / "fresh.duckdb"
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITE_ONE, str(path), f"r{i}"], stderr=subprocess.PIPE, text=True)
        for i in range(4)
    ]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], errors
    con = store.connect(path, read_only=True)
    assert con.execute("SELECT run_id FROM runs ORDER BY run_id").fetchall() == [("r0",), ("r1",), ("r2",), ("r3",)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fresh.duckdb"]  # no staging files left behind


def test_replace_runs_writes_whole_runs_that_the_views_see_and_replaces_them_again(tmp_path):
    con = store.connect(tmp_path / "results.duckdb")
    run = {
        "run_id": "sim-1",
        "source": "simulate",
        "study": "rehearsal",
        "languages": ["python", "java"],
        "params": 10**8,
        "tokens": 2 * 10**9,
        "proportions": {"python": 0.25, "java": 0.75},
        "tokens_per_language": {"python": 5 * 10**8, "java": 15 * 10**8},
        "status": "completed",
    }
    evals = [{"run_id": "sim-1", "metric": "valid_loss", "language": "java", "loss": 1.25, "is_final": True}]
    for loss in (1.25, 1.5):  # the second write replaces the first
        with store.transaction(con):
            store.replace_runs(con, [run], [{**evals[0], "loss": loss}])
    assert con.execute(
        "SELECT run_id, language, loss, language_tokens, proportion, n_languages FROM final_loss"
    ).fetchall() == [("sim-1", "java", 1.5, 15 * 10**8, 0.75, 2)]
    assert con.execute("SELECT proportions->>'python' FROM runs").fetchall() == [("0.25",)]
    assert con.execute("SELECT count(*) FROM run_languages").fetchone() == (2,)


def test_a_large_insert_lands_whole_with_numpy_values_and_json_dicts(tmp_path):
    con = store.connect(tmp_path / "results.duckdb")
    n = store.ARROW_ROWS + 1000
    store.insert_rows(
        con,
        "metrics",
        [
            {"run_id": "r", "step": np.int64(i), "kind": "train", "name": "loss", "value": np.float32(0.5)}
            for i in range(n)
        ],
    )
    store.insert_rows(con, "ingest_log", [{"run_dir": f"d{i}", "problems": ["torn line"]} for i in range(n)])
    assert con.execute("SELECT count(*), sum(step), sum(value) FROM metrics").fetchone() == (
        n,
        n * (n - 1) // 2,
        n * 0.5,
    )
    assert con.execute("SELECT DISTINCT problems->>0 FROM ingest_log").fetchall() == [("torn line",)]
