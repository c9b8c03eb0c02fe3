"""The results store: one DuckDB file holding every run, its step-level metrics and its evaluations.

Model
-----
A *run* is one trained model (or one row of external scaling data). Everything the analysis needs about it lives in
one row of ``runs``; what it measured lives in long-format rows of ``metrics`` (training curves) and ``evals``
(validation and translation losses). ``run_languages`` spells the mixture out as one row per language so SQL can join
on a language without parsing JSON. The store is rebuilt from its sources at any time: run directories
(``codescale ingest``), external tables (``codescale import``) or a simulation (``codescale simulate``); ``source``
says which.

Identity and replacement: ``run_id`` is the key. Re-ingesting a run replaces *all* its rows in one transaction, so a
reader sees the old run or the new run, never a mix. ``ingest_log`` remembers, per run directory, the fingerprint of
its files (sizes and modification times) so that ingesting an unchanged directory does nothing.

Concurrency: DuckDB allows one writing process per file (or several read-only ones). :func:`connect` waits a bounded
time for a conflicting process to let go, then fails with a :class:`~codescale.core.errors.CodescaleError` naming the file.
A new store is built under a private name and hard-linked into place, so racing commands never open a half-written
file. Every write goes through :func:`transaction`, so a failure leaves the database as it was; writers other than
ingest use :func:`replace_runs`.

Tables (schema version 6; the analysis package adds ``fits``, ``fit_params``, ``predictions`` itself and
:func:`connect` leaves unknown tables alone). A store written by an older codescale is brought up to date on the
first writable :func:`connect` by the steps of :data:`MIGRATIONS`, each small and idempotent, in one transaction:

``runs``            one row per run.
    run_id (PK), study, name, spec, source ('rundir'|'import'|'simulate'), run_dir, status
    ('pending'|'running'|'completed'|'failed'|'cancelled' from status.json; NULL when status.json is missing or
    unreadable although the run has started; imports are 'completed'), sweep JSON ({axis: value}),
    languages VARCHAR[] (mixture order), params BIGINT (N, all parameters), params_non_embedding BIGINT,
    n_layers, dim, tokens BIGINT (D, planned training tokens), tokens_per_language JSON, proportions JSON,
    mixture_kind, pairing_mode ('none'|'parallel'), pairing_template, seed, steps (planned), flops, gpu_hours
    (planned), wall_seconds (measured), fingerprint, ingested_at, size_label, seq_len, global_batch_tokens, lr,
    step (latest step reached), tokens_seen (latest), run_json JSON (the whole run.json, or the imported row).
``run_languages``   one row per run x mixture domain (a language or any other domain): run_id, language,
    position (index in ``languages``), proportion, tokens (that domain's planned training tokens), unique_tokens
    (the distinct tokens behind them when the run repeats data -- mixture.json's pool size, or an imported column;
    NULL = fresh data, no repetition).
``metrics``         training curves, long format: run_id, step, kind ('train'), name ('loss', 'lr',
    'tokens_per_second', 'grad_norm', 'tokens', 'time'), language (NULL for the whole batch; set for
    'loss'/'tokens' per language), value.
``evals``           run_id, step, tokens (seen at that step), metric ('valid_loss'|'translation_loss'), language
    (the evaluated language; the target for translation), src, tgt, direction ('python->java'), seen (was the
    direction paired in training), loss (nats/token), is_final (the evaluation at the run's last planned step; for
    imports every row).
``ingest_log``      one row per ingested run directory: run_dir (PK), run_id, fingerprint, ingested_at,
    metric_rows, eval_rows, problems JSON (list of rendered warnings).
``validations``     one row per evaluated domain (and one overall row, domain NULL) of every ``validate-law`` and
    ``fit mixture --compare`` check: validation_id (the ``fits`` row of kind 'validation' holding the held-out
    predictions), fit_id (the validated fit), law, domain, scheme (hold-out predicate or folds), n_heldout, mae,
    mean_rel_err, max_rel_err, spearman (rank correlation of predicted and observed over the held-out runs), created.
``generation_evals``  scores of generation evaluations (``codescale eval``): run_id, step (the checkpoint), eval_id
    (``<suite>-<hash8>`` of the settings), suite, metric ('pass@k'|'bleu'), k (pass@k only), language (the language
    written; the target for translation), src, direction (translation), value (pass@k in [0, 1]; BLEU 0-100), n
    (samples per task), tasks, temperature, top_p, max_new_tokens, backend, bleu_signature (sacrebleu's, naming the
    tokenisation), isolation (the sandbox level), evaluated_at, result_file.
``generation_tasks``  per task of an evaluation: run_id, step, eval_id, suite, task, language, direction, n, passed,
    outcomes JSON ({"passed": 3, "compile_error": 17, ...}), pass_at_k JSON (the task's own estimate).
``allocations``     one row per allocation ``codescale allocate`` computed (:func:`codescale.laws.allocate.record`):
    allocation_id (``alloc-<hash8>`` of the allocation file's content), fit_id, law, size (N), tokens (D),
    objective and uniform_objective (the law's weighted mean loss), predicted_gain (uniform - allocation, nats),
    predicted_low/predicted_high (95% over the law's bootstrap draws, NULL without draws), draws, allocation_file,
    spec_file (the spec written with ``-o``), created.
``allocation_domains``  per allocation and domain: share (NULL for a domain evaluated but not allocated), weight in
    the objective (NULL for a domain allocated but not evaluated), predicted_loss and uniform_predicted_loss.
``schema_version``  version, migrated_at (one row per migration applied).

Views: ``final_loss`` (run x evaluated language: final validation loss with N, D, that language's D and proportion,
and the pairing -- what a per-language law selects from), ``translation_final`` (run x direction, seen/unseen),
``synergy_pairs`` (two-language 50:50 mixtures against self-repetition baselines -- runs trained on the target
alone, never a single-language run of another language evaluated on it -- the paper's Table 1 definition:
delta = loss_self - loss_mix, rel_gain = delta / loss_self, positive = mixing helps), ``run_progress`` (latest
train step, tokens and loss per run), ``pass_vs_loss`` (completion pass@k of a checkpoint next to the validation loss
of its language at that step, or the latest evaluation before it: what ``codescale fit pass-rate`` fits),
``allocation_check`` (per allocation tested and (N, D) it was trained at: the predicted and the realised gain of the
allocation over the uniform mixture, with intervals -- see :data:`_ALLOCATION_CHECK`).
``docs/results-store.md`` shows them in use.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from codescale.core.errors import CodescaleError

SCHEMA_VERSION = 6
DEFAULT_DB = "codescale.duckdb"
DB_ENV = "CODESCALE_DB"
LOCK_WAIT_S = 30.0
ARROW_ROWS = 5000

_TABLES = """
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, migrated_at TIMESTAMP NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    run_id VARCHAR PRIMARY KEY,
    study VARCHAR, name VARCHAR, spec VARCHAR,
    source VARCHAR NOT NULL CHECK (source IN ('rundir', 'import', 'simulate')),
    run_dir VARCHAR, status VARCHAR,
    sweep JSON, languages VARCHAR[],
    params BIGINT, params_non_embedding BIGINT, n_layers INTEGER, dim INTEGER,
    tokens BIGINT, tokens_per_language JSON, proportions JSON,
    mixture_kind VARCHAR, pairing_mode VARCHAR, pairing_template VARCHAR,
    seed INTEGER, steps INTEGER, flops DOUBLE, gpu_hours DOUBLE, wall_seconds DOUBLE,
    fingerprint VARCHAR, ingested_at TIMESTAMP,
    size_label VARCHAR, seq_len INTEGER, global_batch_tokens BIGINT, lr DOUBLE,
    step INTEGER, tokens_seen BIGINT, run_json JSON
);
CREATE TABLE IF NOT EXISTS run_languages (
    run_id VARCHAR NOT NULL, language VARCHAR NOT NULL, position INTEGER, proportion DOUBLE, tokens BIGINT,
    unique_tokens BIGINT
);
CREATE TABLE IF NOT EXISTS metrics (
    run_id VARCHAR NOT NULL, step INTEGER NOT NULL, kind VARCHAR NOT NULL, name VARCHAR NOT NULL,
    language VARCHAR, value DOUBLE
);
CREATE TABLE IF NOT EXISTS evals (
    run_id VARCHAR NOT NULL, step INTEGER, tokens BIGINT,
    metric VARCHAR NOT NULL CHECK (metric IN ('valid_loss', 'translation_loss')),
    language VARCHAR, src VARCHAR, tgt VARCHAR, direction VARCHAR, seen BOOLEAN,
    loss DOUBLE, is_final BOOLEAN NOT NULL
);
CREATE TABLE IF NOT EXISTS validations (
    validation_id VARCHAR, fit_id VARCHAR NOT NULL, law VARCHAR, domain VARCHAR, scheme VARCHAR,
    n_heldout INTEGER, mae DOUBLE, mean_rel_err DOUBLE, max_rel_err DOUBLE, spearman DOUBLE, created TIMESTAMP
);
CREATE TABLE IF NOT EXISTS ingest_log (
    run_dir VARCHAR PRIMARY KEY, run_id VARCHAR, fingerprint VARCHAR, ingested_at TIMESTAMP,
    metric_rows BIGINT, eval_rows BIGINT, problems JSON
);
-- generation evals (codescale eval): outside the per-run tables that ingest replaces wholesale, so re-ingesting a
-- run's training metrics never drops its evaluations
CREATE TABLE IF NOT EXISTS generation_evals (
    run_id VARCHAR NOT NULL, step INTEGER NOT NULL, eval_id VARCHAR NOT NULL, suite VARCHAR NOT NULL,
    metric VARCHAR NOT NULL CHECK (metric IN ('pass@k', 'bleu')), k INTEGER,
    language VARCHAR NOT NULL, src VARCHAR, direction VARCHAR,
    value DOUBLE, n INTEGER NOT NULL, tasks INTEGER NOT NULL,
    temperature DOUBLE, top_p DOUBLE, max_new_tokens INTEGER, backend VARCHAR, bleu_signature VARCHAR,
    isolation VARCHAR, evaluated_at TIMESTAMP, result_file VARCHAR
);
-- allocations computed by `codescale allocate` (and the demo), so that trained runs can be checked against them
CREATE TABLE IF NOT EXISTS allocations (
    allocation_id VARCHAR PRIMARY KEY, fit_id VARCHAR, law VARCHAR, size DOUBLE, tokens DOUBLE,
    objective DOUBLE, uniform_objective DOUBLE, predicted_gain DOUBLE, predicted_low DOUBLE, predicted_high DOUBLE,
    draws INTEGER, allocation_file VARCHAR, spec_file VARCHAR, created TIMESTAMP
);
CREATE TABLE IF NOT EXISTS allocation_domains (
    allocation_id VARCHAR NOT NULL, domain VARCHAR NOT NULL, share DOUBLE, weight DOUBLE, predicted_loss DOUBLE,
    uniform_predicted_loss DOUBLE
);
CREATE TABLE IF NOT EXISTS generation_tasks (
    run_id VARCHAR NOT NULL, step INTEGER NOT NULL, eval_id VARCHAR NOT NULL, suite VARCHAR NOT NULL,
    task VARCHAR NOT NULL, language VARCHAR NOT NULL, direction VARCHAR, n INTEGER, passed INTEGER, outcomes JSON,
    pass_at_k JSON
);
"""

# Views are replaced on every writable connect, so a newer codescale's definitions win without a migration step.
_VIEWS = """
CREATE OR REPLACE VIEW final_loss AS
SELECT r.run_id, r.study, r.name, r.source, r.status, e.language, e.loss, e.step,
       r.params, r.params_non_embedding, r.tokens, rl.tokens AS language_tokens, rl.proportion,
       rl.unique_tokens AS language_unique_tokens,
       len(r.languages) AS n_languages, r.languages, r.tokens_per_language, r.proportions,
       r.mixture_kind, r.pairing_mode, r.pairing_template, r.seed, r.n_layers, r.dim, r.flops, r.sweep, r.spec
FROM evals e
JOIN runs r USING (run_id)
LEFT JOIN run_languages rl ON rl.run_id = e.run_id AND rl.language = e.language
WHERE e.metric = 'valid_loss' AND e.is_final;

CREATE OR REPLACE VIEW translation_final AS
SELECT r.run_id, r.study, r.name, r.source, r.status, e.direction, e.src, e.tgt, e.language, e.seen, e.loss, e.step,
       r.params, r.params_non_embedding, r.tokens, len(r.languages) AS n_languages, r.languages, r.proportions,
       r.mixture_kind, r.pairing_mode, r.pairing_template, r.seed, r.flops, r.sweep
FROM evals e
JOIN runs r USING (run_id)
WHERE e.metric = 'translation_loss' AND e.is_final;

CREATE OR REPLACE VIEW synergy_pairs AS
WITH mix AS (
    SELECT f.*, aux.language AS aux
    FROM final_loss f
    JOIN run_languages aux ON aux.run_id = f.run_id AND aux.language <> f.language
    WHERE f.n_languages = 2 AND abs(f.proportion - 0.5) < 1e-6 AND coalesce(f.pairing_mode, 'none') = 'none'
), self AS (
    SELECT study, language, params, tokens, avg(loss) AS loss_self, stddev_samp(loss) AS loss_self_std,
           count(*) AS n_self, list(run_id ORDER BY run_id) AS self_run_ids
    FROM final_loss
    WHERE n_languages = 1 AND languages[1] = language AND coalesce(pairing_mode, 'none') = 'none'
    GROUP BY study, language, params, tokens
)
SELECT m.study, m.language AS target, m.aux, m.params, m.tokens, m.seed, m.run_id AS mix_run_id, s.self_run_ids,
       m.loss AS loss_mix, s.loss_self, s.loss_self_std, s.n_self,
       s.loss_self - m.loss AS delta, (s.loss_self - m.loss) / s.loss_self AS rel_gain
FROM mix m
JOIN self s ON s.study IS NOT DISTINCT FROM m.study AND s.language = m.language
            AND s.params = m.params AND s.tokens = m.tokens;

CREATE OR REPLACE VIEW run_progress AS
WITH last_train AS (
    SELECT run_id, max(step) AS step FROM metrics WHERE kind = 'train' GROUP BY run_id
), last_values AS (
    SELECT m.run_id, m.step,
           max(m.value) FILTER (WHERE m.name = 'tokens') AS tokens,
           max(m.value) FILTER (WHERE m.name = 'loss') AS loss,
           max(m.value) FILTER (WHERE m.name = 'lr') AS lr,
           max(m.value) FILTER (WHERE m.name = 'tokens_per_second') AS tokens_per_second
    FROM metrics m JOIN last_train USING (run_id, step)
    WHERE m.kind = 'train' AND m.language IS NULL
    GROUP BY m.run_id, m.step
), last_eval AS (
    SELECT run_id, max(step) AS step FROM evals GROUP BY run_id
)
SELECT r.run_id, r.study, r.name, r.source, r.status, coalesce(v.step, r.step) AS step, r.steps AS total_steps,
       coalesce(v.step, r.step) / nullif(r.steps, 0) AS fraction_done,
       coalesce(CAST(v.tokens AS BIGINT), r.tokens_seen) AS tokens, r.tokens AS total_tokens,
       v.loss, v.lr, v.tokens_per_second, le.step AS last_eval_step, r.wall_seconds, r.ingested_at
FROM runs r
LEFT JOIN last_values v USING (run_id)
LEFT JOIN last_eval le USING (run_id);

CREATE OR REPLACE VIEW pass_vs_loss AS
SELECT g.run_id, g.step, g.eval_id, g.suite, g.language, g.k, g.value AS pass_at_k, g.n, g.tasks,
       g.temperature, g.backend, v.loss AS valid_loss, v.step AS loss_step,
       r.study, r.name, r.params, r.params_non_embedding, r.tokens, r.languages, r.proportions
FROM generation_evals g
ASOF LEFT JOIN (SELECT run_id, language, step, loss FROM evals WHERE metric = 'valid_loss') v
    ON g.run_id = v.run_id AND g.language = v.language AND g.step >= v.step
LEFT JOIN runs r ON r.run_id = g.run_id
WHERE g.metric = 'pass@k' AND g.direction IS NULL;
"""

# The closing-the-loop question: did the allocation a law recommended beat the uniform mixture by what it predicted?
# A run tests an allocation when it trains on exactly the allocation's domains with its shares (within 1e-6), fresh
# data (no forced repetition) and no pairing; its uniform counterpart trains on the same domains at equal shares,
# with the same non-embedding parameters and tokens. A run's realised objective is the allocation's objective
# evaluated on it: the weighted mean of its final validation losses over the evaluated domains. The realised gain is
# mean(uniform) - mean(allocated) over seeds, with a Welch t interval (95%; t quantiles from the table below, at the
# Welch degrees of freedom rounded down), NULL when either side has a single run. Replicates are seeds: runs of one
# side with the same seed and the same objective are one training recorded twice (say, another study's shuffled run
# of the same mixture, N and D) and count once; counting both would narrow the interval with no new information.
_ALLOCATION_CHECK = """
CREATE OR REPLACE VIEW allocation_check AS
WITH t975(df, q) AS (VALUES (1, 12.706), (2, 4.303), (3, 3.182), (4, 2.776), (5, 2.571), (6, 2.447), (7, 2.365),
        (8, 2.306), (9, 2.262), (10, 2.228), (12, 2.179), (15, 2.131), (20, 2.086), (25, 2.060), (30, 2.042),
        (40, 2.021), (60, 2.000), (120, 1.980), (1000000, 1.960)),
shares AS (
    SELECT allocation_id, domain, share, count(*) OVER (PARTITION BY allocation_id) AS k
    FROM allocation_domains WHERE share IS NOT NULL
), targets AS (
    SELECT allocation_id, domain, weight, count(*) OVER (PARTITION BY allocation_id) AS n_targets
    FROM allocation_domains WHERE weight > 0
), candidates AS (
    SELECT s.allocation_id, r.run_id, r.params_non_embedding, r.tokens, any_value(r.seed) AS seed,
           bool_and(abs(rl.proportion - s.share) < 1e-6) AS is_allocated,
           bool_and(abs(rl.proportion - 1.0 / s.k) < 1e-6) AS is_uniform
    FROM shares s
    JOIN run_languages rl ON rl.language = s.domain
    JOIN runs r ON r.run_id = rl.run_id
    WHERE len(r.languages) = s.k AND coalesce(r.pairing_mode, 'none') = 'none' AND rl.unique_tokens IS NULL
    GROUP BY s.allocation_id, r.run_id, r.params_non_embedding, r.tokens
    HAVING count(*) = any_value(s.k)
), realised AS (
    SELECT c.allocation_id, c.run_id, c.params_non_embedding, c.tokens, c.is_allocated, c.is_uniform,
           sum(t.weight * f.loss) / sum(t.weight) AS objective
    FROM candidates c
    JOIN targets t ON t.allocation_id = c.allocation_id
    JOIN final_loss f ON f.run_id = c.run_id AND f.language = t.domain
    WHERE c.is_allocated OR c.is_uniform
    GROUP BY c.allocation_id, c.run_id, c.params_non_embedding, c.tokens, c.is_allocated, c.is_uniform, c.seed
    HAVING count(*) = any_value(t.n_targets)
    QUALIFY row_number() OVER (PARTITION BY c.allocation_id, c.params_non_embedding, c.tokens, c.is_allocated,
                                            c.is_uniform, c.seed, sum(t.weight * f.loss) / sum(t.weight)
                               ORDER BY c.run_id) = 1
), sides AS (
    SELECT allocation_id, params_non_embedding, tokens,
           count(*) FILTER (WHERE is_allocated) AS n_allocated,
           avg(objective) FILTER (WHERE is_allocated) AS loss_allocated,
           var_samp(objective) FILTER (WHERE is_allocated) AS var_allocated,
           list(run_id ORDER BY run_id) FILTER (WHERE is_allocated) AS allocated_run_ids,
           count(*) FILTER (WHERE is_uniform) AS n_uniform,
           avg(objective) FILTER (WHERE is_uniform) AS loss_uniform,
           var_samp(objective) FILTER (WHERE is_uniform) AS var_uniform,
           list(run_id ORDER BY run_id) FILTER (WHERE is_uniform) AS uniform_run_ids
    FROM realised GROUP BY ALL
    HAVING count(*) FILTER (WHERE is_allocated) > 0 AND count(*) FILTER (WHERE is_uniform) > 0
), welch AS (
    SELECT *, loss_uniform - loss_allocated AS realised_gain,
           sqrt(var_allocated / n_allocated + var_uniform / n_uniform) AS se,
           CASE WHEN var_allocated / n_allocated + var_uniform / n_uniform > 0
                THEN greatest(1, floor(pow(var_allocated / n_allocated + var_uniform / n_uniform, 2)
                     / (pow(var_allocated / n_allocated, 2) / (n_allocated - 1)
                        + pow(var_uniform / n_uniform, 2) / (n_uniform - 1)))) END AS df
    FROM sides
)
SELECT a.allocation_id, a.fit_id, a.law, a.size, w.params_non_embedding, w.tokens, a.tokens AS allocation_tokens,
       a.predicted_gain, a.predicted_low, a.predicted_high,
       a.predicted_gain / a.uniform_objective AS predicted_rel_gain,
       w.realised_gain, w.realised_gain - coalesce(t.q, 1.960) * w.se AS realised_low,
       w.realised_gain + coalesce(t.q, 1.960) * w.se AS realised_high,
       w.realised_gain / w.loss_uniform AS realised_rel_gain,
       w.loss_allocated, w.loss_uniform, a.objective AS predicted_loss_allocated,
       a.uniform_objective AS predicted_loss_uniform, w.n_allocated, w.n_uniform, w.se AS realised_se,
       w.df AS welch_df, w.allocated_run_ids, w.uniform_run_ids, a.allocation_file, a.spec_file
FROM welch w
JOIN allocations a USING (allocation_id)
ASOF LEFT JOIN t975 t ON w.df >= t.df
"""

# Each step brings a store to its version; steps are idempotent (a store whose tables were created by a newer
# ``_TABLES`` passes through them unchanged). A string is SQL; a callable gets the connection and the table names.
MIGRATIONS: list[tuple[int, str, Any]] = [
    (2, "synergy_pairs: self baselines are runs trained on the target alone (view only; replaced on connect)", ""),
    (
        3,
        "run_languages.unique_tokens: distinct tokens behind a domain's tokens, for the repetition term",
        "ALTER TABLE run_languages ADD COLUMN IF NOT EXISTS unique_tokens BIGINT",
    ),
    (
        4,
        "validations: per-domain held-out errors of validate-law and fit mixture --compare; fits.unidentified",
        lambda con, tables: _migrate_validations(con, tables),
    ),
    (5, "generation_evals, generation_tasks: scores of `codescale eval` (tables from _TABLES; view pass_vs_loss)", ""),
    (
        6,
        "allocations, allocation_domains: what `codescale allocate` recommended (tables from _TABLES; view "
        "allocation_check)",
        "",
    ),
]


def _migrate_validations(con: duckdb.DuckDBPyConnection, tables: set[str]) -> None:
    # The validations table itself comes from _TABLES (CREATE IF NOT EXISTS); fits belongs to the analysis package
    # and exists only once something was fitted.
    if "fits" in tables:
        con.execute("ALTER TABLE fits ADD COLUMN IF NOT EXISTS unidentified JSON")


_RUN_TABLES = ("evals", "metrics", "run_languages", "runs")
_JSON_COLUMNS = ("sweep", "tokens_per_language", "proportions", "run_json")


def default_db_path() -> Path:
    """``$CODESCALE_DB`` if set, else ``./codescale.duckdb``."""
    return Path(os.environ.get(DB_ENV) or DEFAULT_DB)


def connect(
    path: str | Path | None = None,
    read_only: bool = False,
    *,
    wait_s: float = LOCK_WAIT_S,
    config: dict[str, Any] | None = None,
) -> duckdb.DuckDBPyConnection:
    """Open (and create or migrate, unless ``read_only``) the results store at ``path``.

    If another process holds the file, retry for up to ``wait_s`` seconds, then raise a CodescaleError naming the
    file and the holder. A read-only open of a missing file is an error rather than an empty store, and a file that is
    not a DuckDB database is refused before DuckDB opens it (DuckDB would try to download a reader for a SQLite file).
    ``config``: DuckDB settings fixed when the database is opened (``codescale sql`` locks external access off).
    """
    path = Path(path) if path is not None else default_db_path()
    if read_only and not path.exists():
        raise CodescaleError(
            "no results store here",
            source=path,
            hint="run `codescale ingest RUN_DIRS` or `codescale import FILE` first, or pass --db / set CODESCALE_DB",
        )
    _check_is_duckdb(path)
    if not read_only and not path.exists():
        _create(path)
    deadline = time.monotonic() + wait_s
    delay = 0.05
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only, config=dict(config or {}))
            break
        except duckdb.IOException as err:
            if not _is_lock_conflict(err):
                raise CodescaleError(f"cannot open the results store: {_first_line(err)}", source=path) from None
            if time.monotonic() >= deadline:
                raise CodescaleError(
                    f"the results store is in use by another process ({_lock_holder(err)}); gave up after {wait_s:g} s",
                    source=path,
                    hint="wait for the other codescale command to finish, or use another --db file",
                ) from None
            time.sleep(delay)
            delay = min(delay * 2, 0.5)
        except duckdb.Error as err:
            raise CodescaleError(
                f"not a readable DuckDB results store: {_first_line(err)}",
                source=path,
                hint="point --db at a file written by codescale, or at a new path",
            ) from None
    try:
        _check_or_migrate(con, path, read_only)
    except BaseException:
        con.close()
        raise
    return con


_DUCKDB_MAGIC = b"DUCK"  # bytes 8-11 of every DuckDB database file
_OTHER_FORMATS = {
    b"SQLite format 3\x00": "a SQLite database",
    b"PAR1": "a Parquet file",
    b"PK\x03\x04": "a zip archive",
}


def _check_is_duckdb(path: Path) -> None:
    """Refuse an existing, non-empty file that is not a DuckDB database, naming what it looks like."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(16)
    except (FileNotFoundError, IsADirectoryError):
        return  # created, or reported by duckdb.connect
    except OSError as err:
        raise CodescaleError(f"cannot read the results store: {err.strerror}", source=path) from None
    if not head or head[8:12] == _DUCKDB_MAGIC:
        return
    kind = next((name for magic, name in _OTHER_FORMATS.items() if head.startswith(magic)), "not a DuckDB database")
    raise CodescaleError(
        f"is {kind}, not a codescale results store"
        if kind != "not a DuckDB database"
        else "is not a DuckDB database, so not a codescale results store",
        source=path,
        hint="point --db at a file written by `codescale ingest` or `codescale import`, or at a new path",
    )


def _create(path: Path) -> None:
    """Make a new store so that it appears whole: build it under a private name, then hard-link it into place.

    Two commands starting at once on a missing file would otherwise race, one opening the file while the other is
    still writing its header. ``os.link`` fails if the name exists, so exactly one new store wins; the loser opens it.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(f".{path.name}.{os.getpid()}.new")
    try:
        con = duckdb.connect(str(staging))
        try:
            _check_or_migrate(con, path, read_only=False)
        finally:
            con.close()
        try:
            os.link(staging, path)
        except FileExistsError:
            pass  # another process created it first
        except OSError:  # a filesystem without hard links: a plain rename, without the race protection
            if not path.exists():
                os.replace(staging, path)
    except duckdb.Error as err:
        raise CodescaleError(f"cannot create the results store: {_first_line(err)}", source=path) from None
    finally:
        for leftover in (staging, staging.with_name(staging.name + ".wal")):
            leftover.unlink(missing_ok=True)


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All writes inside happen together or not at all."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def delete_runs(con: duckdb.DuckDBPyConnection, run_ids: list[str]) -> None:
    """Remove every row of these runs (call inside a transaction, before inserting their replacement)."""
    if not run_ids:
        return
    con.execute("CREATE OR REPLACE TEMP TABLE _doomed AS SELECT unnest(?::VARCHAR[]) AS run_id", [run_ids])
    for table in _RUN_TABLES:
        con.execute(f"DELETE FROM {table} WHERE run_id IN (SELECT run_id FROM _doomed)")
    con.execute("DROP TABLE _doomed")


def insert_rows(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict[str, Any]]) -> int:
    """Insert dicts into ``table`` by column name, in one statement.

    Small batches travel as one typed list parameter (nothing else is loaded, so CLI commands start fast); from
    ``ARROW_ROWS`` rows on, as an Arrow table. Numpy values are accepted; dicts and lists go into JSON columns as text.
    """
    if not rows:
        return 0
    columns = list(dict.fromkeys(key for row in rows for key in row))
    types = dict(
        con.execute("SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = ?", [table]).fetchall()
    )
    unknown = [c for c in columns if c not in types]
    if unknown:
        raise ValueError(f"table {table} has no column(s) {unknown}")
    struct = ", ".join(f'"{c}" {"VARCHAR" if types[c] == "JSON" else types[c]}' for c in columns)
    as_json = {c for c in columns if types[c] == "JSON"}
    if len(rows) >= ARROW_ROWS:
        import pyarrow as pa  # ~10x faster per row, after a one-off ~0.3 s import of pandas inside duckdb's scan

        batch = pa.table({c: [_plain(row.get(c), c in as_json) for row in rows] for c in columns})
        con.register("_codescale_rows", batch)
        try:
            con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _codescale_rows")
        finally:
            con.unregister("_codescale_rows")
        return len(rows)
    values = [{c: _plain(row.get(c), c in as_json) for c in columns} for row in rows]
    con.execute(f"INSERT INTO {table} BY NAME SELECT unnest(?::STRUCT({struct})[], recursive := true)", [values])
    return len(rows)


_PLAIN = (str, int, float, bool, type(None), dt.datetime, dt.date)


def _plain(value: Any, json_column: bool) -> Any:
    """A value DuckDB's parameter binding takes: numpy scalars/arrays as Python ones, dicts/lists as JSON text for
    JSON columns."""
    if json_column and not isinstance(value, (str, type(None))):
        return json.dumps(value, default=lambda o: o.tolist() if hasattr(o, "tolist") else str(o))
    if isinstance(value, _PLAIN):
        return value
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return [_plain(v, False) for v in value]
    return value


def replace_runs(con: duckdb.DuckDBPyConnection, runs: list[dict[str, Any]], evals: Sequence[dict[str, Any]] = (),
                 unique_tokens: dict[str, dict[str, int]] | None = None) -> None:  # fmt: skip
    """Write whole runs -- their ``runs``, ``run_languages`` and ``evals`` rows -- replacing any with the same run_id.

    For writers other than ingest (import, simulate). JSON columns take dicts; ``run_languages`` is derived from
    each run's ``languages``, ``proportions`` and ``tokens_per_language`` (and ``unique_tokens[run_id]``, the
    distinct tokens behind a domain's share where known). Call inside :func:`transaction`.
    """
    unique_tokens = unique_tokens or {}
    rows = [
        {
            k: json.dumps(v) if k in _JSON_COLUMNS and not isinstance(v, str) and v is not None else v
            for k, v in run.items()
        }
        for run in runs
    ]
    delete_runs(con, [r["run_id"] for r in rows])
    insert_rows(con, "runs", rows)
    con.execute("UPDATE runs SET ingested_at = now() WHERE ingested_at IS NULL")
    languages = []
    for run in runs:
        proportions = _as_dict(run.get("proportions"))
        tokens = _as_dict(run.get("tokens_per_language"))
        unique = unique_tokens.get(run["run_id"], {})
        languages += [{"run_id": run["run_id"], "language": lang, "position": i, "proportion": proportions.get(lang),
                       "tokens": tokens.get(lang), "unique_tokens": unique.get(lang)}
                      for i, lang in enumerate(run.get("languages") or [])]  # fmt: skip
    insert_rows(con, "run_languages", languages)
    insert_rows(con, "evals", list(evals))


def _as_dict(value: Any) -> dict[str, Any]:
    return json.loads(value) if isinstance(value, str) else dict(value or {})


def table_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Tables and views of the main schema, sorted."""
    rows = con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY table_name"
    ).fetchall()
    return [r[0] for r in rows]


def _check_or_migrate(con: duckdb.DuckDBPyConnection, path: Path, read_only: bool) -> None:
    tables = set(table_names(con))
    version = None
    if "schema_version" in tables:
        row = con.execute("SELECT max(version) FROM schema_version").fetchone()
        version = row[0] if row else None
    if version is not None and version > SCHEMA_VERSION:
        raise CodescaleError(
            f"results store has schema version {version}; this codescale knows up to {SCHEMA_VERSION}",
            source=path,
            hint="upgrade codescale",
        )
    if read_only:
        if version is None:
            raise CodescaleError(
                "this DuckDB file is not a codescale results store (no schema_version table)",
                source=path,
                hint="point --db at a file written by `codescale ingest` or `codescale import`",
            )
        return
    with transaction(con):
        con.execute(_TABLES)
        for step, _what, action in MIGRATIONS:
            if version is not None and step <= version:
                continue
            if callable(action):
                action(con, tables)
            elif action:
                con.execute(action)
        con.execute(_VIEWS)
        con.execute(_ALLOCATION_CHECK)
        if version is None or version < SCHEMA_VERSION:
            con.execute("INSERT INTO schema_version VALUES (?, now())", [SCHEMA_VERSION])


def _is_lock_conflict(err: Exception) -> bool:
    text = str(err)
    return "lock" in text.lower() and ("conflicting" in text.lower() or "could not set lock" in text.lower())


def _lock_holder(err: Exception) -> str:
    match = re.search(r"PID (\d+)", str(err))
    return f"PID {match.group(1)}" if match else "another process"


def _first_line(err: Exception) -> str:
    return str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
