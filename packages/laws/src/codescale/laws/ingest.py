"""``codescale ingest``: run directories (contracts §4) into the results store, idempotently and in bulk.

Identity: a run directory's *fingerprint* is a hash of the size and modification time of its ``run.json``,
``status.json`` and ``metrics.jsonl``. ``ingest_log`` keeps the last fingerprint per directory; an unchanged directory
is skipped, a changed one (more steps, a new state) has all its rows replaced. The fingerprint is taken *before* the
files are read, so a file that grows during the read is seen as changed next time.

One run, one directory. The store keeps each run id from one directory, the one it was ingested from; a directory is
"unchanged" only if the store's copy of its run came from it. Another directory holding the same run id (a copy, an
older compile of the same spec) is refused with an error -- the store keeps what it has -- unless the directory the
run came from no longer holds it (the run was moved: the new place takes over, with a warning) or ``--replace`` says
to take the run from the new directory. Two directories with the same run id in one call: the first in argument order
(globs sorted) is ingested, the others refused. So ingesting a, then b, then a again leaves a's data and says so.

Failure model: everything one call writes is one transaction -- if anything unexpected fails, the store is as it was.
Expected damage is reported and routed around: a missing or corrupt ``run.json`` skips that run; a corrupt
``metrics.jsonl`` line is reported by file and line and skipped while the rest lands; a torn last line (a writer
killed mid-line) is a warning. Another process holding the file makes :func:`~codescale.laws.store.connect` wait,
then fail with a clear message.

Generation evals: the results of ``codescale eval`` in the ingested directories (``RUN_DIR/evals/*/step-*/
result.json``) are stored on every ingest, unchanged directories included, by :mod:`codescale.laws.generation`, in
their own transaction and keyed by (run, step, settings), so they are never duplicated and never dropped when a
run's training metrics are re-ingested.

Speed: all metrics files of a batch are read by one DuckDB ``read_json`` with an explicit column spec (wide rows,
parallel, no per-line Python), then unpivoted to long format in SQL inside the database. Only a file the bulk read
flags (a row without kind/step, a train line without loss, a repeated step) gets the slow exact pass of
:func:`codescale.laws.runfiles.scan_metrics`, to name the lines.
"""

from __future__ import annotations

import glob
import hashlib
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from codescale.core.contracts.rundir import METRIC_COLUMNS, TRAIN_MAPS
from codescale.core.domains import LANGUAGE_IDS
from codescale.core.errors import CodescaleError
from codescale.laws import store
from codescale.laws.runfiles import (
    Problem,
    language_rows,
    read_run_json,
    read_status,
    read_unique_tokens,
    run_record,
    scan_metrics,
    seen_directions,
    torn_last_line,
)

FINGERPRINTED = ("run.json", "status.json", "metrics.jsonl")

# The typed wide view of a metrics.jsonl line is the contract's METRIC_COLUMNS; keys not listed are ignored.
# Per-language train values are read as a STRUCT with one field per language (several times faster than a MAP);
# its fields are the batch's run.json languages plus the vocabulary, see _metric_columns.
PER_LANGUAGE_TRAIN = TRAIN_MAPS
MAX_LINE_REPORTS = 20  # per file; a wholly corrupt file should not bury the summary
TRAIN_SCALAR_METRICS = ("time", "tokens", "loss", "lr", "tokens_per_second", "grad_norm")


@dataclass
class IngestReport:
    """What one ingest did. ``failed`` is true when something was skipped (not for warnings)."""

    db: str
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    metric_rows: int = 0
    eval_rows: int = 0
    generation_rows: int = 0
    """Score rows of generation evaluations (``RUN_DIR/evals/*/step-*/result.json``), stored or replaced."""
    seconds: float = 0.0
    problems: list[Problem] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(p.level == "error" for p in self.problems)

    @property
    def rows_per_second(self) -> float:
        return (self.metric_rows + self.eval_rows) / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> str:
        return (
            f"{self.db}: {len(self.added)} runs added, {len(self.replaced)} replaced, {len(self.unchanged)} unchanged, "
            f"{len(self.skipped)} skipped; {self.metric_rows:,} metric rows, {self.eval_rows:,} eval rows"
            + (f", {self.generation_rows:,} generation-eval rows" if self.generation_rows else "")
            + f" in {self.seconds:.2f} s"
        )


@dataclass
class _PendingRun:
    run_dir: Path
    run_id: str
    fingerprint: str
    record: dict
    languages: list[dict]
    seen: dict[str, bool]
    replaces: bool
    problems: list[Problem]


def find_run_dirs(paths: Iterable[str | Path]) -> list[Path]:
    """Expand arguments into run directories: a run directory, a compiled output directory (its ``runs/*``), a
    directory of run directories, or a glob of any of these. A path that matches nothing is an error."""
    found: list[Path] = []
    for arg in paths:
        text = str(arg)
        matches = sorted(glob.glob(text)) if glob.has_magic(text) else [text]
        if not matches:
            raise CodescaleError(f"no path matches {text!r}", hint="check the glob; quote it so the shell passes it")
        for match in matches:
            path = Path(match)
            if path.is_file() and path.name == "run.json":
                path = path.parent
            if not path.exists():
                raise CodescaleError(
                    "no such directory", source=path, hint="pass run directories or a compiled output directory"
                )
            if (path / "run.json").exists():
                found.append(path)
                continue
            if (path / "runs").is_dir():  # a compiled output: every entry of runs/ is meant to be a run
                children = sorted(p for p in (path / "runs").iterdir() if p.is_dir())
            else:  # any other directory: the run directories in it
                children = sorted(p.parent for p in path.glob("*/run.json")) if path.is_dir() else []
            if not children:
                raise CodescaleError(
                    "not a run directory (no run.json) and holds no run directories",
                    source=path,
                    hint="pass OUT/runs/<run_id>, the compiled output directory OUT, or a glob such as 'OUT/runs/*'",
                )
            found.extend(children)
    unique = list(dict.fromkeys(p.resolve() for p in found))
    return unique


def fingerprint(run_dir: Path) -> str:
    """Hash of the sizes and modification times of the files ingest reads (cheap; no content is read)."""
    parts = []
    for name in FINGERPRINTED:
        try:
            st = (run_dir / name).stat()
            parts.append(f"{name}:{st.st_size}:{st.st_mtime_ns}")
        except FileNotFoundError:
            parts.append(f"{name}:-")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def ingest_run_dirs(
    db: str | Path | duckdb.DuckDBPyConnection | None,
    dirs: Iterable[str | Path],
    *,
    force: bool = False,
    wait_s: float = store.LOCK_WAIT_S,
    replace: bool = False,
) -> IngestReport:
    """Ingest run directories (see :func:`find_run_dirs`) into the store at ``db`` (a path or an open connection).

    One transaction for the whole batch. ``force`` re-reads directories whose fingerprint is unchanged; ``replace``
    takes a run stored from another directory from this one (see the module docstring).
    """
    started = time.perf_counter()
    run_dirs = find_run_dirs(dirs)
    own = not isinstance(db, duckdb.DuckDBPyConnection)
    con = db if isinstance(db, duckdb.DuckDBPyConnection) else store.connect(db, wait_s=wait_s)
    report = IngestReport(db=str(db if db is not None else store.default_db_path()) if own else "the open store")
    try:
        pending = _plan(con, run_dirs, force, report, replace)
        if pending:
            with store.transaction(con):
                _write(con, pending, report)
        from codescale.laws.generation import ingest_results

        # generation evals have their own identity (run, step, settings) and their own transaction
        report.generation_rows, damaged = ingest_results(con, run_dirs)
        report.problems.extend(Problem("error", _with_hint(err, "evaluation result skipped")) for err in damaged)
    except duckdb.Error as err:
        raise CodescaleError(
            f"ingest failed and changed nothing: {str(err).splitlines()[0]}",
            source=report.db,
            hint="the store is as it was before this command",
        ) from None
    finally:
        if own:
            con.close()
    report.seconds = time.perf_counter() - started
    return report


def _plan(
    con: duckdb.DuckDBPyConnection, run_dirs: list[Path], force: bool, report: IngestReport, replace: bool = False
) -> list[_PendingRun]:
    """Read the small files in Python; decide per directory: unchanged, skipped (bad run.json, or a run the store
    holds from another directory) or to (re)load."""
    known = {
        run_dir: (fp, run_id)
        for run_dir, fp, run_id in con.execute(  # directories the store's runs came from
            "SELECT l.run_dir, l.fingerprint, l.run_id FROM ingest_log l JOIN runs r ON r.run_id = l.run_id "
            "AND r.run_dir = l.run_dir"
        ).fetchall()
    }
    stored_dirs = dict(con.execute("SELECT run_id, run_dir FROM runs").fetchall())
    pending: dict[str, _PendingRun] = {}
    claimed: dict[str, Path] = {}  # run id -> the directory of this call that has it
    for run_dir in run_dirs:
        fp = fingerprint(run_dir)
        stored_fp, stored_id = known.get(str(run_dir), (None, None))
        if not force and stored_fp == fp:
            report.unchanged.append(str(run_dir))
            claimed.setdefault(stored_id, run_dir)
            continue
        try:
            run = read_run_json(run_dir / "run.json")
            status, problems = read_status(run_dir / "status.json", run.run_id)
            record = run_record(run, status, run_dir, fp)
        except CodescaleError as err:
            report.skipped.append(str(run_dir))
            report.problems.append(Problem("error", _with_hint(err, "run skipped")))
            continue
        run_id = run.run_id
        if status is None and not (run_dir / "status.json").exists() and not (run_dir / "metrics.jsonl").exists():
            record["status"] = "pending"  # compiled, never started; a missing or corrupt status otherwise stays unknown
        if run_id in claimed:
            report.skipped.append(str(run_dir))
            report.problems.append(
                Problem(
                    "error",
                    CodescaleError(
                        f"run_id {run_id!r} is also in {claimed[run_id]}; this copy skipped",
                        source=run_dir / "run.json",
                        field="run_id",
                        hint="two directories hold the same run; ingest the one you want",
                    ),
                )
            )
            continue
        claimed[run_id] = run_dir
        previous_dir = stored_dirs.get(run_id)
        if previous_dir is not None and previous_dir != str(run_dir):
            if not replace and _holds(Path(previous_dir), run_id):
                report.skipped.append(str(run_dir))
                report.problems.append(
                    Problem(
                        "error",
                        CodescaleError(
                            f"run {run_id!r} is already in the store from {previous_dir}, which still holds it; this copy "
                            "skipped",
                            source=run_dir / "run.json",
                            field="run_id",
                            hint="two directories hold the same run: pass --replace to take it from this one instead, or "
                            "remove the stale copy",
                        ),
                    )
                )
                continue
            why = "--replace" if replace else "that directory no longer holds it"
            problems.append(
                Problem(
                    "warning",
                    CodescaleError(
                        f"run {run_id!r} was ingested from {previous_dir}; replaced by this directory ({why})",
                        source=run_dir,
                    ),
                )
            )
        if status is not None and status.state == "completed" and not (run_dir / "metrics.jsonl").exists():
            problems.append(
                Problem(
                    "warning",
                    CodescaleError(
                        "the run is completed but has no metrics.jsonl",
                        source=run_dir,
                        hint="was the directory copied partly?",
                    ),
                )
            )
        pending[run_id] = _PendingRun(
            run_dir,
            run_id,
            fp,
            record,
            language_rows(run, read_unique_tokens(run_dir)),
            seen_directions(run),
            previous_dir is not None,
            problems,
        )
    return list(pending.values())


def _holds(run_dir: Path, run_id: str) -> bool:
    """Whether ``run_dir`` still holds the run ``run_id`` (its run.json names it)."""
    try:
        return json.loads((run_dir / "run.json").read_text()).get("run_id") == run_id
    except (OSError, ValueError, AttributeError):
        return False


def _write(con: duckdb.DuckDBPyConnection, pending: list[_PendingRun], report: IngestReport) -> None:
    store.delete_runs(con, [p.run_id for p in pending])
    store.insert_rows(con, "runs", [p.record for p in pending])
    con.execute("UPDATE runs SET ingested_at = now() WHERE ingested_at IS NULL")
    store.insert_rows(con, "run_languages", [row for p in pending for row in p.languages])

    with_metrics = [p for p in pending if (p.run_dir / "metrics.jsonl").is_file()]
    if with_metrics:
        by_file = {str(p.run_dir / "metrics.jsonl"): p for p in with_metrics}
        _stage_metrics(con, by_file)
        _drop_bad_lines(con, by_file)
        _check_languages(con, by_file)
        report.metric_rows = _insert_metrics(con, _batch_languages(by_file))
        report.eval_rows = _insert_evals(con, with_metrics)
        con.execute("""
            UPDATE runs SET step = coalesce(runs.step, m.step), tokens_seen = coalesce(runs.tokens_seen, m.tokens)
            FROM (SELECT run_id, max(step) AS step, CAST(max(tokens) AS BIGINT) AS tokens FROM _wide GROUP BY run_id) m
            WHERE runs.run_id = m.run_id""")
        counts = dict(
            con.execute("""
            SELECT run_id, count(*) FROM metrics WHERE run_id IN (SELECT run_id FROM _files) GROUP BY run_id""").fetchall()
        )
        eval_counts = dict(
            con.execute("""
            SELECT run_id, count(*) FROM evals WHERE run_id IN (SELECT run_id FROM _files) GROUP BY run_id""").fetchall()
        )
        for run_id, run_dir in con.execute("""
                SELECT r.run_id, r.run_dir FROM runs r JOIN _files f USING (run_id) WHERE r.status = 'completed'
                AND NOT EXISTS (SELECT 1 FROM evals e WHERE e.run_id = r.run_id AND e.is_final)""").fetchall():
            next(p for p in with_metrics if p.run_id == run_id).problems.append(
                Problem(
                    "warning",
                    CodescaleError(
                        "the run is completed but metrics.jsonl has no eval line at its last step, so it has no final loss",
                        source=Path(run_dir) / "metrics.jsonl",
                        hint="contracts §4: the runner writes a final eval line",
                    ),
                )
            )
        con.execute("DROP TABLE _wide")
        con.execute("DROP TABLE _files")
    else:
        counts, eval_counts = {}, {}

    con.execute(
        "DELETE FROM ingest_log WHERE run_dir IN (SELECT unnest(?::VARCHAR[])) OR run_id IN (SELECT unnest(?::VARCHAR[]))",
        [[str(p.run_dir) for p in pending], [p.run_id for p in pending]],
    )  # one log row per stored run
    store.insert_rows(
        con,
        "ingest_log",
        [
            {
                "run_dir": str(p.run_dir),
                "run_id": p.run_id,
                "fingerprint": p.fingerprint,
                "metric_rows": counts.get(p.run_id, 0),
                "eval_rows": eval_counts.get(p.run_id, 0),
                "problems": json.dumps([x.render() for x in p.problems]),
            }
            for p in pending
        ],
    )
    con.execute("UPDATE ingest_log SET ingested_at = now() WHERE ingested_at IS NULL")
    for p in pending:
        (report.replaced if p.replaces else report.added).append(p.run_id)
        report.problems.extend(p.problems)


def _stage_metrics(con: duckdb.DuckDBPyConnection, by_file: dict[str, _PendingRun]) -> None:
    """``_wide``: every line of every file as typed columns plus run_id, in file order (rowid)."""
    files = [
        {"filename": f, "run_id": p.run_id, "planned_steps": p.record.get("steps"), "status": p.record["status"]}
        for f, p in by_file.items()
    ]
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _files (filename VARCHAR, run_id VARCHAR, planned_steps BIGINT, status VARCHAR)"
    )
    store.insert_rows(con, "_files", files)
    languages = _batch_languages(by_file)
    columns = "{" + ", ".join(f"'{k}': '{v}'" for k, v in _metric_columns(languages).items()) + "}"
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _wide AS
        SELECT f.run_id, w.* EXCLUDE (filename), w.filename
        FROM read_json(?, columns = {columns}, format = 'newline_delimited', filename = true,
                       ignore_errors = true, maximum_object_size = 67108864) w
        JOIN _files f ON f.filename = w.filename""",
        [list(by_file)],
    )


def _drop_bad_lines(con: duckdb.DuckDBPyConnection, by_file: dict[str, _PendingRun]) -> None:
    """Find files with suspicious rows in SQL; name their bad lines with the exact pass; delete those rows."""
    suspects = con.execute("""
        SELECT filename,
               count(*) FILTER (WHERE kind IS NULL OR step IS NULL OR kind NOT IN ('train', 'eval')
                                   OR (kind = 'train' AND loss IS NULL)
                                   OR (kind = 'eval' AND valid_loss IS NULL AND translation_loss IS NULL)) AS bad,
               count(2 * step + CAST(kind = 'eval' AS INTEGER)) - count(DISTINCT 2 * step + CAST(kind = 'eval' AS INTEGER)) AS repeated
        FROM _wide GROUP BY filename HAVING bad > 0 OR repeated > 0""").fetchall()
    for filename, bad, repeated in suspects:
        path, run = Path(filename), by_file[filename]
        torn = torn_last_line(path)
        if bad == 1 and repeated == 0 and torn is not None:
            run.problems.append(
                Problem(
                    "warning",
                    CodescaleError(
                        "incomplete last line (the writer was stopped mid-line); skipped",
                        source=path,
                        line=torn,
                        hint="normal for a running or killed run; ingest again once it has written more",
                    ),
                )
            )
            continue
        bad_lines = scan_metrics(path)
        run.problems.extend(b.problem for b in bad_lines[:MAX_LINE_REPORTS])
        if len(bad_lines) > MAX_LINE_REPORTS:
            run.problems.append(
                Problem(
                    "error",
                    CodescaleError(
                        f"... and {len(bad_lines) - MAX_LINE_REPORTS} more bad lines, all skipped",
                        source=path,
                        hint="is this file really a metrics.jsonl written by titan_runner?",
                    ),
                )
            )
        keyed = [
            (b.kind, b.step)
            for b in bad_lines
            if b.kind is not None and b.step is not None and b.problem.level == "error"
        ]
        for kind, step in keyed:  # a handful per damaged file
            con.execute("DELETE FROM _wide WHERE filename = ? AND kind = ? AND step = ?", [filename, kind, step])
        if repeated:
            con.execute(
                """DELETE FROM _wide WHERE filename = ? AND rowid NOT IN
                           (SELECT max(rowid) FROM _wide WHERE filename = ? GROUP BY kind, step)""",
                [filename, filename],
            )
    con.execute("""DELETE FROM _wide WHERE kind IS NULL OR step IS NULL OR kind NOT IN ('train', 'eval')
                   OR (kind = 'train' AND loss IS NULL)
                   OR (kind = 'eval' AND valid_loss IS NULL AND translation_loss IS NULL)""")


def _check_languages(con: duckdb.DuckDBPyConnection, by_file: dict[str, _PendingRun]) -> None:
    """Warn about evaluated languages outside the vocabulary (kept as written; SQL on them still works)."""
    rows = con.execute(
        """
        SELECT filename, list(DISTINCT language ORDER BY language) FROM (
            SELECT filename, unnest(map_keys(valid_loss)) AS language FROM _wide WHERE kind = 'eval'
            UNION ALL
            SELECT filename, unnest(flatten(list_transform(map_keys(translation_loss), lambda d: string_split(d, '->'))))
            FROM _wide WHERE kind = 'eval')
        WHERE NOT list_contains(?::VARCHAR[], language)
        GROUP BY filename""",
        [list(LANGUAGE_IDS)],
    ).fetchall()
    for filename, unknown in rows:
        by_file[filename].problems.append(
            Problem(
                "warning",
                CodescaleError(
                    f"evaluated language(s) {', '.join(unknown)} are not in the vocabulary ({', '.join(LANGUAGE_IDS)})",
                    source=filename,
                    field="valid_loss",
                    hint="kept as written; use canonical ids in the runner",
                ),
            )
        )


def _batch_languages(by_file: dict[str, _PendingRun]) -> list[str]:
    in_runs = [row["language"] for p in by_file.values() for row in p.languages]
    return [lang for lang in dict.fromkeys([*LANGUAGE_IDS, *in_runs]) if _is_identifier(lang)]


def _metric_columns(languages: list[str]) -> dict[str, str]:
    per_language = "STRUCT(" + ", ".join(f'"{lang}" DOUBLE' for lang in languages) + ")"
    return {**METRIC_COLUMNS, **{name: per_language for name in PER_LANGUAGE_TRAIN}}


def _is_identifier(name: str) -> bool:
    return name.replace("_", "a").replace("-", "a").isalnum()


def _insert_metrics(con: duckdb.DuckDBPyConnection, languages: list[str]) -> int:
    """Wide train lines to long rows: three UNPIVOTs (scalars, per-language tokens, per-language losses); NULLs
    (a field the line did not have, a language the run does not train on) produce no row."""
    scalars = ", ".join(TRAIN_SCALAR_METRICS)
    quoted = ", ".join(f'"{lang}"' for lang in languages)

    def per_language(field: str, name: str) -> str:
        return f"""
        SELECT run_id, step, 'train', '{name}', language, value FROM (
            UNPIVOT (SELECT run_id, step, unnest({field}) FROM _wide WHERE kind = 'train')
            ON {quoted} INTO NAME language VALUE value)"""

    return con.execute(f"""
        INSERT INTO metrics (run_id, step, kind, name, language, value)
        SELECT run_id, step, 'train', name, NULL, value FROM (
            UNPIVOT (SELECT run_id, step, {scalars} FROM _wide WHERE kind = 'train')
            ON {scalars} INTO NAME name VALUE value)
        UNION ALL {per_language("tokens_per_language", "tokens")}
        UNION ALL {per_language("loss_per_language", "loss")}""").fetchall()[0][0]


def _insert_evals(con: duckdb.DuckDBPyConnection, runs: list[_PendingRun]) -> int:
    """Eval lines to rows; ``is_final`` marks the eval at the planned last step (or, for a completed run whose plan
    gives no step count, its last eval)."""
    con.execute("CREATE OR REPLACE TEMP TABLE _planned_seen (run_id VARCHAR, direction VARCHAR, seen BOOLEAN)")
    store.insert_rows(
        con, "_planned_seen", [{"run_id": p.run_id, "direction": d, "seen": s} for p in runs for d, s in p.seen.items()]
    )
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _final AS
        SELECT f.run_id,
               CASE WHEN bool_or(w.step = f.planned_steps) THEN any_value(f.planned_steps)
                    WHEN any_value(f.status) = 'completed' AND any_value(f.planned_steps) IS NULL THEN max(w.step) END
               AS final_step
        FROM _files f JOIN _wide w USING (run_id) WHERE w.kind = 'eval' GROUP BY f.run_id""")
    valid = con.execute("""
        INSERT INTO evals (run_id, step, tokens, metric, language, loss, is_final)
        SELECT run_id, step, tokens, 'valid_loss', language, loss, coalesce(step = final_step, false) FROM (
            SELECT w.run_id, w.step, CAST(w.tokens AS BIGINT) AS tokens, f.final_step,
                   unnest(map_keys(w.valid_loss)) AS language, unnest(map_values(w.valid_loss)) AS loss
            FROM _wide w LEFT JOIN _final f USING (run_id)
            WHERE w.kind = 'eval' AND w.valid_loss IS NOT NULL)""").fetchall()[0][0]
    translation = con.execute("""
        INSERT INTO evals (run_id, step, tokens, metric, language, src, tgt, direction, seen, loss, is_final)
        SELECT t.run_id, t.step, t.tokens, 'translation_loss', split_part(t.direction, '->', 2),
               split_part(t.direction, '->', 1), split_part(t.direction, '->', 2), t.direction,
               coalesce(t.seen_map[t.direction], ps.seen), t.loss, coalesce(t.step = t.final_step, false)
        FROM (
            SELECT w.run_id, w.step, CAST(w.tokens AS BIGINT) AS tokens, f.final_step, w.translation_seen AS seen_map,
                   unnest(map_keys(w.translation_loss)) AS direction, unnest(map_values(w.translation_loss)) AS loss
            FROM _wide w LEFT JOIN _final f USING (run_id)
            WHERE w.kind = 'eval' AND w.translation_loss IS NOT NULL) t
        LEFT JOIN _planned_seen ps ON ps.run_id = t.run_id AND ps.direction = t.direction""").fetchall()[0][0]
    con.execute("DROP TABLE _final")
    con.execute("DROP TABLE _planned_seen")
    return valid + translation


def _with_hint(err: CodescaleError, consequence: str) -> CodescaleError:
    hint = f"{consequence}; {err.hint}" if err.hint else consequence
    return CodescaleError(err.message, source=err.source, line=err.line, column=err.column, field=err.field, hint=hint)
