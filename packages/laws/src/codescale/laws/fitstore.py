"""Fits as rows of the results store: every fit is kept with what it was fitted on and how, and can be reloaded.

Tables (created on first use next to the store's own tables, which :func:`codescale.laws.store.connect` leaves
alone):

``fits``         fit_id (PK, ``<kind>-<group>-<hash8>``), kind ('chinchilla', 'translation', 'synergy',
                 'mixture', 'mixture_comparison', 'validation'), form (the law's name), selection_sql (the SQL predicate over the source
                 view that chose the runs, with the group condition), group_key / group_value (e.g. 'language' /
                 'python'; NULL when ungrouped), settings JSON (method: units, δ, grid, bootstrap, …), n_runs,
                 objective, converged, warnings JSON (list of strings), provenance JSON (codescale version, source view,
                 run ids, batch id of the command that made it, creation host), created, unidentified JSON (the reasons
                 the data do not pin the law down -- a parameter on its bound, an estimate outside its own bootstrap
                 interval; an empty list when identified, NULL for fits made before the check existed).
``fit_params``   fit_id, name, value, ci_low, ci_high (NULL without a bootstrap).
``predictions``  fit_id, run_id, language (or direction), observed, predicted.
``fit_samples``  fit_id, sample, name, value: bootstrap parameter draws, so allocation can propagate uncertainty.

A fit's id is a content hash of its kind, group, selection and settings plus the creation time, so two fits of the
same data stay distinct records; :func:`latest_fit` finds the newest one for a kind and group.

Selection: :func:`select_groups` reads (group, run, label, N, D, loss) rows of a view under a user's SQL predicate,
and :func:`fit_groups` fits and stores one per-language / per-setting law per group (used by ``fit chinchilla`` and
``fit translation``); the exact SQL expressions go into the fit's provenance, so ``validate-law`` and ``report``
re-select the same runs.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

import duckdb
import numpy as np

from codescale.core.errors import CodescaleError
from codescale.laws import store

_TABLES = """
CREATE TABLE IF NOT EXISTS fits (
    fit_id VARCHAR PRIMARY KEY, kind VARCHAR NOT NULL, form VARCHAR, selection_sql VARCHAR,
    group_key VARCHAR, group_value VARCHAR, settings JSON, n_runs INTEGER, objective DOUBLE, converged BOOLEAN,
    warnings JSON, provenance JSON, created TIMESTAMP, unidentified JSON
);
CREATE TABLE IF NOT EXISTS fit_params (fit_id VARCHAR NOT NULL, name VARCHAR NOT NULL, value DOUBLE,
                                       ci_low DOUBLE, ci_high DOUBLE);
CREATE TABLE IF NOT EXISTS predictions (fit_id VARCHAR NOT NULL, run_id VARCHAR, language VARCHAR,
                                        observed DOUBLE, predicted DOUBLE);
CREATE TABLE IF NOT EXISTS fit_samples (fit_id VARCHAR NOT NULL, sample INTEGER, name VARCHAR, value DOUBLE);
"""


@dataclass
class StoredFit:
    """One fit as stored: parameters (with intervals), bootstrap draws, predictions and everything about how."""

    kind: str
    form: str
    selection_sql: str
    settings: dict[str, Any]
    n_runs: int
    objective: float | None
    converged: bool
    params: dict[str, float]
    intervals: dict[str, tuple[float, float]] = field(default_factory=dict)
    samples: dict[str, list[float]] = field(default_factory=dict)
    predictions: list[tuple[str, str | None, float, float]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    provenance: dict[str, Any] = field(default_factory=dict)
    group_key: str | None = None
    group_value: str | None = None
    fit_id: str | None = None
    created: dt.datetime | None = None
    unidentified: list[str] = field(default_factory=list)

    @property
    def identified(self) -> bool:
        return not self.unidentified

    @property
    def saved_id(self) -> str:
        """The id of a fit that has been saved or loaded (one still being built has none yet)."""
        if self.fit_id is None:
            raise ValueError(f"this {self.kind} fit has not been saved, so it has no id yet")
        return self.fit_id


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(_TABLES)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("codescale")
    except PackageNotFoundError:
        return "unknown"


def _make_id(fit: StoredFit, created: dt.datetime) -> str:
    payload = json.dumps(
        [fit.kind, fit.form, fit.group_value, fit.selection_sql, fit.settings, created.isoformat()],
        sort_keys=True, default=str,
    )  # fmt: skip
    digest = hashlib.sha256(payload.encode()).hexdigest()[:8]
    group = re.sub(r"[^A-Za-z0-9]+", "_", fit.group_value or "all").strip("_")[:40] or "all"
    return f"{fit.kind}-{group}-{digest}"


def save_fit(con: duckdb.DuckDBPyConnection, fit: StoredFit) -> str:
    """Write a fit and its parameters, draws and predictions in one transaction; return (and set) its fit_id."""
    ensure_tables(con)
    created = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    fit.created = created
    fit.fit_id = fit.fit_id or _make_id(fit, created)
    provenance = {"codescale_version": _version(), **fit.provenance}
    with store.transaction(con):
        con.execute("DELETE FROM fits WHERE fit_id = ?", [fit.fit_id])
        for table in ("fit_params", "predictions", "fit_samples"):
            con.execute(f"DELETE FROM {table} WHERE fit_id = ?", [fit.fit_id])
        con.execute(
            "INSERT INTO fits (fit_id, kind, form, selection_sql, group_key, group_value, settings, n_runs, objective, "
            "converged, warnings, provenance, created, unidentified) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [fit.fit_id, fit.kind, fit.form, fit.selection_sql, fit.group_key, fit.group_value,
             json.dumps(fit.settings, default=str), fit.n_runs, _finite_or_none(fit.objective), fit.converged,
             json.dumps(fit.warnings), json.dumps(provenance, default=str), created, json.dumps(fit.unidentified)],
        )  # fmt: skip
        params = [
            {"fit_id": fit.fit_id, "name": k, "value": _finite_or_none(v),
             "ci_low": _finite_or_none(fit.intervals.get(k, (None, None))[0]),
             "ci_high": _finite_or_none(fit.intervals.get(k, (None, None))[1])}
            for k, v in fit.params.items()
        ]  # fmt: skip
        store.insert_rows(con, "fit_params", params)
        store.insert_rows(
            con, "predictions",
            [{"fit_id": fit.fit_id, "run_id": r, "language": lang, "observed": _finite_or_none(o),
              "predicted": _finite_or_none(p)} for r, lang, o, p in fit.predictions],
        )  # fmt: skip
        store.insert_rows(
            con, "fit_samples",
            [{"fit_id": fit.fit_id, "sample": i, "name": name, "value": _finite_or_none(v)}
             for name, values in fit.samples.items() for i, v in enumerate(values)],
        )  # fmt: skip
    fit.provenance = provenance
    return fit.fit_id


def load_fit(con: duckdb.DuckDBPyConnection, fit_id: str) -> StoredFit:
    """Reload a stored fit; an unknown id is a CodescaleError listing a few known ones."""
    if "fits" not in store.table_names(con):
        raise CodescaleError(f"no fit {fit_id!r}: this store has no fits yet", hint="run `codescale fit ...` first")
    row = con.execute(
        "SELECT kind, form, selection_sql, group_key, group_value, settings, n_runs, objective, converged, warnings, "
        "provenance, created, unidentified FROM fits WHERE fit_id = ?",
        [fit_id],
    ).fetchone()
    if row is None:
        known = [r[0] for r in con.execute("SELECT fit_id FROM fits ORDER BY created DESC LIMIT 5").fetchall()]
        raise CodescaleError(
            f"no fit {fit_id!r} in the store",
            hint=f'recent fits: {", ".join(known) or "none"}; list them with `codescale sql "SELECT * FROM fits"`',
        )
    (
        kind,
        form,
        selection,
        gkey,
        gval,
        settings,
        n_runs,
        objective,
        converged,
        warnings,
        provenance,
        created,
        unident,
    ) = row
    params, intervals = {}, {}
    for name, value, lo, hi in con.execute(
        "SELECT name, value, ci_low, ci_high FROM fit_params WHERE fit_id = ? ORDER BY rowid", [fit_id]
    ).fetchall():
        params[name] = float("nan") if value is None else value
        if lo is not None and hi is not None:
            intervals[name] = (lo, hi)
    samples: dict[str, list[float]] = {}
    for name, value in con.execute(
        "SELECT name, value FROM fit_samples WHERE fit_id = ? ORDER BY name, sample", [fit_id]
    ).fetchall():
        samples.setdefault(name, []).append(float("nan") if value is None else value)
    predictions = [
        tuple(r)
        for r in con.execute(
            "SELECT run_id, language, observed, predicted FROM predictions WHERE fit_id = ? ORDER BY rowid", [fit_id]
        ).fetchall()
    ]
    return StoredFit(
        kind=kind, form=form, selection_sql=selection, settings=json.loads(settings) if settings else {},
        n_runs=n_runs, objective=objective, converged=bool(converged), params=params, intervals=intervals,
        samples=samples, predictions=predictions, warnings=json.loads(warnings) if warnings else [],
        provenance=json.loads(provenance) if provenance else {}, group_key=gkey, group_value=gval,
        fit_id=fit_id, created=created, unidentified=json.loads(unident) if unident else [],
    )  # fmt: skip


def latest_fit(con: duckdb.DuckDBPyConnection, kind: str, group_value: str | None = None) -> str | None:
    """The newest fit_id of a kind (and group), or None."""
    ensure_tables(con)
    sql = "SELECT fit_id FROM fits WHERE kind = ?"
    args: list[Any] = [kind]
    if group_value is not None:
        sql += " AND group_value = ?"
        args.append(group_value)
    row = con.execute(sql + " ORDER BY created DESC LIMIT 1", args).fetchone()
    return row[0] if row else None


def fits_in_batch(con: duckdb.DuckDBPyConnection, batch: str) -> list[str]:
    """Fit ids written by one command (their provenance carries the same ``batch``)."""
    ensure_tables(con)
    rows = con.execute(
        "SELECT fit_id FROM fits WHERE json_extract_string(provenance, '$.batch') = ? ORDER BY group_value", [batch]
    ).fetchall()
    return [r[0] for r in rows]


def _finite_or_none(value: Any) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if value == value and abs(value) != float("inf") else None


# --- selecting runs and fitting per-group laws -------------------------------------------------------------------

N_COLUMNS = {
    "params_non_embedding": "coalesce(params_non_embedding, params)",
    "params": "params",
}


def query(con: duckdb.DuckDBPyConnection, sql: str, args: list[Any] | None = None, what: str = "--where") -> list:
    """Run a query built from user SQL; a DuckDB error becomes a CodescaleError naming the option."""
    try:
        return con.execute(sql, args or []).fetchall()
    except duckdb.Error as err:
        first = str(err).strip().splitlines()[0]
        raise CodescaleError(f"{what}: {first}", hint="the predicate is SQL over the view's columns; "
                             "see `codescale sql \"DESCRIBE final_loss\"`") from None  # fmt: skip


def fit_groups(
    con: duckdb.DuckDBPyConnection,
    *,
    kind: str,
    view: str,
    where: str,
    group_expr: str | None,
    group_key: str | None,
    label_expr: str,
    n_expr: str,
    d_expr: str,
    settings: Any,
    batch: str,
    extra_settings: dict[str, Any],
    mean_over_labels: bool = False,
    auto_n_only: bool = False,
) -> list[StoredFit]:
    """Select (run, label, N, D, loss) from ``view``, fit one law per group, store each fit, return them.

    ``mean_over_labels`` averages the loss over labels (e.g. translation directions) within run and group, so the
    bootstrap resamples runs rather than rows. ``auto_n_only`` fits L = E' + A/N^alpha (with a warning) to a group
    whose runs all share one token count, when the full form was asked for.
    """  # fmt: skip
    from codescale.laws.fit import SAMPLE_NAMES, fit_law

    where = where.strip() or "true"
    groups = select_groups(con, view, where, group_expr, label_expr, n_expr, d_expr, mean_over_labels)

    out = []
    for grp, members in groups.items():
        run_ids, labels, n, d, loss = group_arrays(members)
        scale = 1e9 if settings.units == "billions" else 1.0
        group_settings, note = settings, None
        if auto_n_only and settings.form == "chinchilla" and len(set(d[np.isfinite(d)].tolist())) == 1:
            group_settings = dataclasses.replace(settings, form="n_only")
            note = (f"every run has D = {d[0]:.4g} tokens, so the D term cannot be fitted: fitted L = E' + A/N^alpha "
                    "(E' = E + B/D^beta at that D)")  # fmt: skip
        try:
            law = fit_law(n / scale, d / scale, loss, group_settings, labels)
        except CodescaleError as err:
            where_group = f" ({group_key} = {grp})" if group_key else ""
            raise CodescaleError(f"{kind} fit{where_group}: {err.message}", hint=err.hint) from None
        predicted = law.predict(n / scale, d / scale)
        if note:
            law.warnings.insert(0, note)
        params, intervals = dict(law.params), dict(law.intervals)
        if law.form == "n_only":  # the B term is switched off, not fitted
            for name in ("B", "beta"):
                params.pop(name, None)
                intervals.pop(name, None)
        quoted = str(grp).replace("'", "''")
        if group_expr is None:
            selection = where
        elif grp is None:  # e.g. imported runs without a language: "= 'None'" would select nothing
            selection = f"({where}) AND {group_expr} IS NULL"
        else:
            selection = f"({where}) AND {group_expr} = '{quoted}'"
        stored = StoredFit(
            kind=kind, form=law.form, selection_sql=f"SELECT * FROM {view} WHERE {selection}",
            settings={**law.settings_dict(), **extra_settings, "bootstrap_converged": law.bootstrap_converged},
            n_runs=len(set(run_ids)), objective=law.objective, unidentified=list(law.unidentified),
            converged=law.converged, params=params, intervals=intervals,
            samples={} if law.samples is None else {p: law.samples[:, i].tolist() for i, p in enumerate(SAMPLE_NAMES)},
            predictions=[(r, m[2], float(o), float(p)) for r, m, o, p in zip(run_ids, members, loss, predicted)],
            warnings=list(law.warnings), group_key=group_key, group_value=None if grp is None else str(grp),
            provenance={"view": view, "where": where, "batch": batch, "run_ids": sorted(set(run_ids)),
                        "group_expr": group_expr, "label_expr": label_expr, "n_expr": n_expr, "d_expr": d_expr,
                        "mean_over_labels": mean_over_labels, "selection_where": selection,
                        "local_minima": [[f, p] for f, p in law.local_minima]},
        )  # fmt: skip
        save_fit(con, stored)
        out.append(stored)
    return out


def select_groups(con, view, where, group_expr, label_expr, n_expr, d_expr, mean_over_labels) -> dict[Any, list]:
    """Rows (group, run_id, label, N, D, loss) of ``view`` matching ``where``, grouped; empty is an error."""
    group_sql = group_expr or "NULL"
    if mean_over_labels:
        sql = (f"SELECT {group_sql} AS grp, run_id, '(mean)' AS label, any_value({n_expr}) AS n, "
               f"any_value({d_expr}) AS d, avg(loss) AS loss FROM {view} WHERE ({where}) "
               f"GROUP BY grp, run_id ORDER BY grp, run_id")  # fmt: skip
    else:
        sql = (f"SELECT {group_sql} AS grp, run_id, {label_expr} AS label, {n_expr} AS n, {d_expr} AS d, loss "
               f"FROM {view} WHERE ({where}) ORDER BY grp, run_id, label")  # fmt: skip
    rows = query(con, sql)
    if not rows:
        raise CodescaleError(f"empty selection: no rows of {view} match --where {where!r}",
                             hint=f"check it with `codescale sql \"SELECT count(*) FROM {view} WHERE {where}\"`")  # fmt: skip
    groups: dict[Any, list] = {}
    for row in rows:
        groups.setdefault(row[0], []).append(row)
    return groups


def group_arrays(members: list):
    """run_ids, labels ("run:label"), N, D, loss of one group's rows (None -> NaN)."""

    def col(i):
        return np.array([np.nan if m[i] is None else m[i] for m in members], dtype=float)

    return [m[1] for m in members], [f"{m[1]}:{m[2]}" for m in members], col(3), col(4), col(5)


def new_batch_id() -> str:
    import os
    import time

    return hashlib.sha256(f"{time.time_ns()}-{os.getpid()}".encode()).hexdigest()[:10]
