"""``codescale sql``: one query in three formats, clear one-line errors, a read-only store, the interactive mode."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest

from codescale.core.cli import main
from codescale.laws.importer import import_table


@pytest.fixture
def db(tmp_path):
    source = tmp_path / "lab.csv"
    source.write_text("N,D,loss,language\n70M,1.4B,3.1,python\n160M,3.2B,2.875,java\n1.3B,26B,2.0,go\n")
    path = tmp_path / "s.duckdb"
    import_table(path, source)
    return str(path)


QUERY = "SELECT language, params, loss FROM final_loss ORDER BY params"


def test_the_default_table_is_aligned_with_numbers_on_the_right(db, capsys):
    assert main(["sql", QUERY, "--db", db]) == 0
    assert capsys.readouterr().out == (
        "language      params   loss\n"
        "--------  ----------  -----\n"
        "python      70000000    3.1\n"
        "java       160000000  2.875\n"
        "go        1300000000    2.0\n"
        "(3 rows)\n"
    )


def test_csv_keeps_full_precision_and_a_header(db, capsys):
    assert main(["sql", QUERY, "--db", db, "--format", "csv"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows == [
        ["language", "params", "loss"],
        ["python", "70000000", "3.1"],
        ["java", "160000000", "2.875"],
        ["go", "1300000000", "2.0"],
    ]


def test_json_is_a_list_of_objects_with_json_columns_as_structure(db, capsys):
    assert (
        main(
            ["sql", "SELECT run_id, proportions, languages FROM runs ORDER BY params LIMIT 1", "--db", db, "-f", "json"]
        )
        == 0
    )
    assert json.loads(capsys.readouterr().out) == [
        {"run_id": "lab-00001", "proportions": {"python": 1.0}, "languages": ["python"]}
    ]


def test_a_sql_error_is_one_line_and_exit_status_2(db, capsys):
    assert main(["sql", "SELECT loss FROM final_losses", "--db", db]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("error: Catalog Error: Table with name final_losses does not exist!")
    assert "final_loss" in err


def test_the_store_is_read_only_unless_asked(db, capsys):
    assert main(["sql", "DELETE FROM runs", "--db", db]) == 2
    assert "read-only" in capsys.readouterr().err
    assert main(["sql", "SELECT count(*) AS n FROM runs", "--db", db, "-f", "csv"]) == 0
    assert capsys.readouterr().out == "n\n3\n"
    assert main(["sql", "DELETE FROM runs WHERE params > 1e9", "--db", db, "--write"]) == 0


@pytest.mark.parametrize(
    "statement",
    [
        "COPY (SELECT 'x') TO '{other}'",
        "EXPORT DATABASE '{tmp}/export'",
        "SELECT * FROM read_text('{secret}')",
        "SELECT * FROM read_csv('{secret}')",
        "ATTACH '{other}' AS other",
        "INSTALL httpfs",
        "SET enable_external_access = true",
        "RESET enable_external_access",
    ],
)
def test_without_write_no_statement_reads_or_writes_another_file(db, tmp_path, capsys, statement):
    other, secret = tmp_path / "other.duckdb", tmp_path / "secret.txt"
    other.write_bytes(b"precious")
    secret.write_text("password\n")
    before = sorted(p.name for p in tmp_path.iterdir())
    assert main(["sql", statement.format(other=other, tmp=tmp_path, secret=secret), "--db", db]) == 2
    err = capsys.readouterr().err
    assert "password" not in err and err.count("\n") == 1
    assert "without --write no statement may read or write files" in err
    assert other.read_bytes() == b"precious" and sorted(p.name for p in tmp_path.iterdir()) == before


def test_the_stores_views_and_temporary_tables_work_while_sealed(db, capsys):
    session = "CREATE TEMP TABLE best AS SELECT min(loss) AS loss FROM final_loss;\nSELECT loss FROM best;\n"
    from codescale.laws.sqlshell import interactive, open_store

    con = open_store(db)
    try:
        out = io.StringIO()
        assert interactive(con, "csv", io.StringIO(session), out, io.StringIO()) == 0
    finally:
        con.close()
    assert out.getvalue().endswith("loss\n2.0\n")


def test_with_write_statements_may_write_files(db, tmp_path):
    assert main(["sql", f"COPY (SELECT 1 AS one) TO '{tmp_path / 'one.csv'}'", "--db", db, "--write"]) == 0
    assert (tmp_path / "one.csv").read_text() == "one\n1\n"


def test_a_sqlite_file_is_refused_before_duckdb_opens_it(tmp_path, capsys):
    import sqlite3

    path = tmp_path / "results.db"
    sqlite3.connect(path).execute("CREATE TABLE runs (x)").connection.commit()
    for args in (["sql", "SELECT 1", "--db", str(path)], ["sql", "SELECT 1", "--db", str(path), "--write"]):
        assert main(args) == 2
        err = capsys.readouterr().err
        assert (
            err == f"error: {path} is a SQLite database, not a codescale results store (point --db at a file "
            "written by `codescale ingest` or `codescale import`, or at a new path)\n"
        )


def test_a_missing_store_says_how_to_create_one(tmp_path, capsys):
    assert main(["sql", "SELECT 1", "--db", str(tmp_path / "nowhere.duckdb")]) == 2
    assert "codescale ingest" in capsys.readouterr().err


def test_interactive_mode_reads_statements_until_semicolons_and_dot_commands(db, monkeypatch, capsys):
    session = "SELECT count(*) AS n\n  FROM runs;\n.schema ingest_log\n.format csv\nSELECT 1 AS one;\nSELECT nope;\n.quit\nSELECT 2;\n"
    monkeypatch.setattr(sys, "stdin", io.StringIO(session))
    assert main(["sql", "--db", db]) == 2  # one statement failed
    captured = capsys.readouterr()
    assert "n\n-\n3\n(1 row)\n" in captured.out
    assert "run_dir      VARCHAR" in captured.out and "fingerprint  VARCHAR" in captured.out
    assert "one\n1\n" in captured.out and "2" not in captured.out.split("one\n1\n")[1]
    assert 'error: Binder Error: Referenced column "nope" was not found' in captured.err


def test_dot_tables_works_as_a_one_shot_query(db, capsys):
    assert main(["sql", ".tables", "--db", db]) == 0
    names = capsys.readouterr().out.split()
    assert {"runs", "metrics", "evals", "final_loss", "synergy_pairs", "run_progress"} <= set(names)


def test_the_installed_command_prints_the_table(db):
    proc = subprocess.run(
        [sys.executable, "-m", "codescale.core.cli", "sql", "SELECT count(*) AS runs FROM runs", "--db", db],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "runs\n----\n   3\n(1 row)\n", "")
