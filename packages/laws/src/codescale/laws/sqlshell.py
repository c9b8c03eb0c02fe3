"""``codescale sql``: ask the results store questions in SQL, one query or interactively.

Output formats: ``table`` (aligned columns for people; numbers right-aligned, floats to 6 significant digits, at most
``TABLE_ROW_LIMIT`` rows), ``csv`` (every row, full precision, for spreadsheets) and ``json`` (a list of objects, for
scripts; NaN becomes null).

Read-only means read-only: without ``--write`` (:func:`open_store`) the store is opened read-only *and* with DuckDB's
external access off and the configuration locked for the session (:data:`READ_ONLY_CONFIG`). No statement can then
read or write any file but the store (``COPY ... TO``, ``EXPORT DATABASE``, ``read_text``/``read_csv``, ``ATTACH``,
``INSTALL``/``LOAD`` all fail with a permission error) nor switch that back on (``SET``/``RESET`` are refused); the
store's own tables and views work as ever, and so do temporary tables. ``--write`` opens it as any other command does.

A SQL error is DuckDB's own message reduced to one line (plus its "Did you mean" suggestion), raised as a
CodescaleError. The interactive mode reads statements until ``;`` and knows ``.tables``, ``.schema NAME``,
``.format table|csv|json``, ``.help`` and ``.quit``; an error there is printed and the session goes on.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import importlib
import io
import json
import math
from collections.abc import Sequence
from typing import Any, TextIO

import duckdb

from codescale.core.errors import CodescaleError
from codescale.laws import store

FORMATS = ("table", "csv", "json")
READ_ONLY_CONFIG = {
    "enable_external_access": False,  # no file, URL, ATTACH, extension install or load
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "lock_configuration": True,  # and no SET/RESET to turn it back on
}
TABLE_ROW_LIMIT = 1000
HELP = """.tables            list tables and views
.schema NAME       columns of a table or view
.format FORMAT     table, csv or json
.quit              leave (also .exit or end of input)
Statements end with ';'."""


def open_store(db: str | None, *, write: bool = False, wait_s: float = store.LOCK_WAIT_S) -> duckdb.DuckDBPyConnection:
    """The store for ``codescale sql``: read-only and sealed (see the module docstring) unless ``write``."""
    if write:
        return store.connect(db, read_only=False, wait_s=wait_s)
    return store.connect(db, read_only=True, wait_s=wait_s, config=READ_ONLY_CONFIG)


def run_query(
    con: duckdb.DuckDBPyConnection, sql: str, limit: int | None = None
) -> tuple[list[str], list[tuple], bool]:
    """Execute ``sql``; return column names, rows (at most ``limit``) and whether rows were left out."""
    try:
        result = con.execute(sql)
    except duckdb.Error as err:
        message = one_line(err)
        hint = None
        if message.startswith("Catalog Error"):
            hint = "list the tables and views with `codescale sql .tables`"
        elif message.startswith("Permission Error") or "configuration has been locked" in message:
            hint = "without --write no statement may read or write files besides the store, nor change settings"
        raise CodescaleError(message, hint=hint) from None
    if result.description is None:
        return [], [], False
    columns = [d[0] for d in result.description]
    if limit is None:
        return columns, result.fetchall(), False
    rows = result.fetchmany(limit + 1)
    return columns, rows[:limit], len(rows) > limit


def one_line(err: Exception) -> str:
    """DuckDB's message on one line: the first line, plus its suggestion if it made one."""
    lines = [ln.strip() for ln in str(err).strip().splitlines() if ln.strip()]
    if not lines:
        return type(err).__name__
    suggestion = next((ln for ln in lines[1:] if ln.lower().startswith("did you mean")), None)
    return f"{lines[0]} {suggestion}" if suggestion else lines[0]


def render(columns: Sequence[str], rows: Sequence[tuple], fmt: str, truncated: bool = False) -> str:
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([[_csv_cell(v) for v in row] for row in rows])
        return buffer.getvalue()
    if fmt == "json":
        return json.dumps([{c: _json_cell(v) for c, v in zip(columns, row)} for row in rows], indent=1) + "\n"
    return _table(columns, rows, truncated)


def execute_and_print(con: duckdb.DuckDBPyConnection, sql: str, fmt: str, out: TextIO) -> None:
    columns, rows, truncated = run_query(con, sql, TABLE_ROW_LIMIT if fmt == "table" else None)
    if columns:
        out.write(render(columns, rows, fmt, truncated))


def interactive(con: duckdb.DuckDBPyConnection, fmt: str, stdin: TextIO, out: TextIO, err: TextIO) -> int:
    """Read statements until ';' (prompts only on a terminal); return 0, or 2 if any statement failed."""
    prompt = stdin.isatty()
    if prompt:
        out.write(f"codescale sql on {_db_name(con)}: statements end with ';', .help for commands\n")
    buffer: list[str] = []
    status = 0
    if prompt:
        try:
            importlib.import_module("readline")  # line editing and history for input()
        except ImportError:  # pragma: no cover - platforms without readline
            pass
    while True:
        if prompt:
            try:
                line = input("   ...> " if buffer else "codescale> ") + "\n"
            except EOFError:
                out.write("\n")
                break
        else:
            line = stdin.readline()
        if not line:
            break
        stripped = line.strip()
        if not buffer and stripped.startswith("."):
            command, _, argument = stripped.partition(" ")
            if command in (".quit", ".exit"):
                break
            try:
                fmt = _dot_command(con, command, argument.strip(), fmt, out)
            except CodescaleError as error:
                err.write(f"error: {error.render()}\n")
                status = 2
            continue
        if stripped:
            buffer.append(line)
        if stripped.endswith(";"):
            try:
                execute_and_print(con, "".join(buffer), fmt, out)
            except CodescaleError as error:
                err.write(f"error: {error.render()}\n")
                status = 2
            buffer = []
    if buffer and "".join(buffer).strip():
        try:
            execute_and_print(con, "".join(buffer), fmt, out)
        except CodescaleError as error:
            err.write(f"error: {error.render()}\n")
            status = 2
    return status


def _dot_command(con: duckdb.DuckDBPyConnection, command: str, argument: str, fmt: str, out: TextIO) -> str:
    if command == ".tables":
        out.write("\n".join(store.table_names(con)) + "\n")
    elif command == ".schema":
        if not argument:
            raise CodescaleError(".schema needs a table or view name", hint="see .tables")
        rows = con.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
            [argument],
        ).fetchall()
        if not rows:
            raise CodescaleError(f"no table or view {argument!r}", hint=f"one of: {', '.join(store.table_names(con))}")
        out.write(_table(["column", "type"], rows, False))
    elif command == ".format":
        if argument not in FORMATS:
            raise CodescaleError(f"unknown format {argument!r}", hint=f"one of {', '.join(FORMATS)}")
        return argument
    elif command == ".help":
        out.write(HELP + "\n")
    else:
        raise CodescaleError(f"unknown command {command}", hint=".help lists them")
    return fmt


def _table(columns: Sequence[str], rows: Sequence[tuple], truncated: bool) -> str:
    cells = [[_table_cell(v) for v in row] for row in rows]
    numeric = [
        all(isinstance(row[i], (int, float, decimal.Decimal)) or row[i] is None for row in rows)
        and any(row[i] is not None for row in rows)
        for i in range(len(columns))
    ]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v.rjust(w) if num else v.ljust(w) for v, w, num in zip(values, widths, numeric)).rstrip()

    out = [line(list(columns)), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in cells]
    count = f"({len(rows)} row{'s' if len(rows) != 1 else ''})"
    if truncated:
        count = f"(first {len(rows)} rows shown; add LIMIT or use --format csv for all)"
    out.append(count)
    return "\n".join(out) + "\n"


def _table_cell(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        text = f"{value:.6g}"
        return text if any(c in text for c in ".eni") else text + ".0"  # keep 2.0 recognisably a float
    if isinstance(value, (list, dict)):
        return json.dumps(value, default=str)
    return str(value)


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        return json.dumps(value, default=str)
    if isinstance(value, float):
        return repr(value)
    return value


def _json_cell(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, (list, tuple)):
        return [_json_cell(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_cell(v) for k, v in value.items()}
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return json.loads(value)  # JSON columns arrive as text; give scripts the structure
        except json.JSONDecodeError:
            return value
    if isinstance(value, (bytes, bytearray)):
        return value.hex()
    return value if isinstance(value, (str, int, float, bool)) or value is None else str(value)


def _db_name(con: duckdb.DuckDBPyConnection) -> str:
    row = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchone()
    return row[0] if row and row[0] else "memory"
