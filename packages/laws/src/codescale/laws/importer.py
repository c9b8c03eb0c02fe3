"""``codescale import``: external scaling results (CSV or parquet) as runs, so every fit works on public data too.

Model: each data row is one trained model evaluated once -- a run with ``source = 'import'``, status 'completed', and
one final ``valid_loss`` row in ``evals``. Rows that share the value of a mapped ``run`` column are one run evaluated
on several languages. The study (``--study``, default the file's stem) is the unit of replacement: importing into a
study replaces every run imported into it before, in one transaction, so re-importing a corrected file never leaves
duplicates. Run ids are ``<study>-<row>`` (or ``<study>-<run value>``). Every source column is kept in
``runs.run_json``, so ``run_json->>'Model Size'`` still works in SQL.

``--map field=Column,...`` says which column holds which field:

=====================  ==========================================================================================
``size`` (required)    N, parameters: ``124000000``, ``1.3e9``, ``70M``, ``1.3B``, ``13,000,000``
``tokens`` (required)  D, training tokens, same spellings (``400B``, ``1.4T``)
``loss`` (required)    final validation loss (nats/token); empty, NaN or inf rows are skipped with a count
``language``           evaluated language (canonical id or alias); ``--language`` sets one for the whole file
``languages``          the training mixture, ``python+java`` (default: the evaluated language)
``proportions``        matching shares, ``0.5+0.5`` (default: equal)
``params_non_embedding``, ``seed``, ``flops`` (default 6·N·D), ``name``, ``run``
=====================  ==========================================================================================

Without ``--map`` the usual column names are recognised (``params``/``N``/``Model Size``, ``tokens``/``D``/
``Training Tokens``, ``loss``/``Loss``/``valid_loss``). A missing column is an error that lists the columns there are.

Domains: the evaluated and training "languages" may be any domains (:func:`codescale.core.domains.domain_id`): the
seven languages by any alias, and any other name (``Pile-CC``, ``arxiv``, ``FineWeb-Edu``).

Mixture experiments (one row per run, one column per domain) are read with globs whose ``*`` captures the domain:

``--proportions GLOB``  the training proportions, e.g. ``'p:*'`` or ``'train_the_pile_*'``; an empty cell is 0.
                        A row whose proportions do not sum to 1 beyond the rounding of its printed digits (half a
                        unit of each cell's last digit, summed) is an error naming the row; otherwise they are
                        rescaled to sum to exactly 1.
``--losses GLOB``       the final validation loss per evaluated domain, e.g. ``'loss:*'`` or
                        ``'metric/the_pile_*_val_loss'``; one ``evals`` row per non-empty cell (empty, NaN and inf
                        cells are skipped with a count). The evaluated domains may differ from the training ones.
``--unique GLOB``       optional: the distinct tokens behind each domain's share (``run_languages.unique_tokens``),
                        for the repetition term of the laws.
``--set F=V,...``       constants for fields the file lacks: ``--set size=1e6,tokens=1e9`` (any of size, tokens,
                        params_non_embedding, flops, seed).
``--tokens-from-flops`` D = C / (6·N) from the ``flops`` column (or constant) instead of a tokens column.

Every source column is kept in ``runs.run_json``, so a hold-out predicate such as
``run_id IN (SELECT run_id FROM runs WHERE run_json->>'split' = 'test')`` works in ``validate-law``.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from codescale.core.domains import domain_id
from codescale.core.errors import CodescaleError, CodescaleErrors
from codescale.laws import store

REQUIRED = ("size", "tokens", "loss")
OPTIONAL = ("language", "languages", "proportions", "params_non_embedding", "seed", "flops", "name", "run")
MAP_SYNTAX = "--map size=COLUMN,tokens=COLUMN,loss=COLUMN[,language=COLUMN,...]"
DEFAULT_COLUMNS = {
    "size": ("params", "n", "parameters", "model size", "model_size", "size", "num_params", "n_params"),
    "tokens": ("tokens", "d", "training tokens", "training_tokens", "data", "num_tokens", "n_tokens"),
    "loss": ("loss", "valid_loss", "final_loss", "validation loss", "val_loss"),
    "language": ("language", "lang"),
}
_SUFFIX = {"": 1, "k": 1e3, "m": 1e6, "b": 1e9, "g": 1e9, "t": 1e12}
_COUNT = re.compile(r"^\s*([0-9][0-9_,]*(?:\.[0-9]*)?(?:e[+-]?[0-9]+)?)\s*([kmbgt]?)\s*$", re.IGNORECASE)


@dataclass
class ImportReport:
    db: str
    study: str
    runs: int = 0
    evals: int = 0
    replaced: int = 0
    skipped_nonfinite: int = 0
    skipped_empty: int = 0
    warnings: list[CodescaleError] = field(default_factory=list)

    def summary(self) -> str:
        text = f"{self.db}: imported {self.runs} runs ({self.evals} final losses) into study {self.study!r}"
        if self.replaced:
            text += f", replacing {self.replaced} runs of the earlier import"
        return text


def parse_count(text: Any) -> int:
    """``"1.3B"`` -> 1_300_000_000; also plain numbers, ``70M``, ``400k``, ``1.4T``, ``13,000,000``, ``1e9``."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        if not math.isfinite(text) or text <= 0:
            raise ValueError(f"expected a positive count, got {text!r}")
        return int(round(text))
    match = _COUNT.match(str(text))
    if not match:
        raise ValueError(f"expected a count such as 124000000, 1.3e9, 70M or 1.3B, got {text!r}")
    value = float(match.group(1).replace(",", "").replace("_", "")) * _SUFFIX[match.group(2).lower()]
    if value <= 0:
        raise ValueError(f"expected a positive count, got {text!r}")
    return int(round(value))


def parse_map(specs: list[str] | None) -> dict[str, str]:
    """``["size=Model Size,tokens=Training Tokens", "loss=loss"]`` -> ``{"size": "Model Size", ...}``."""
    mapping: dict[str, str] = {}
    for spec in specs or []:
        for item in spec.split(","):
            if not item.strip():
                continue
            key, sep, column = item.partition("=")
            key = key.strip()
            if not sep or not column.strip():
                raise CodescaleError(f"--map entry {item!r} is not FIELD=COLUMN", field="--map", hint=MAP_SYNTAX)
            if key not in REQUIRED + OPTIONAL:
                raise CodescaleError(
                    f"unknown field {key!r}",
                    field="--map",
                    hint=f"fields: {', '.join(REQUIRED + OPTIONAL)}; {MAP_SYNTAX}",
                )
            mapping[key] = column.strip()
    return mapping


def parse_set(specs: list[str] | None) -> dict[str, str]:
    """``["size=1e6,tokens=1e9"]`` -> ``{"size": "1e6", "tokens": "1e9"}`` (checked against the settable fields)."""
    out: dict[str, str] = {}
    for spec in specs or []:
        for item in spec.split(","):
            if not item.strip():
                continue
            key, sep, value = item.partition("=")
            key = key.strip()
            if not sep or not value.strip():
                raise CodescaleError(
                    f"--set entry {item!r} is not FIELD=VALUE", field="--set", hint="e.g. --set size=1e6,tokens=1e9"
                )
            if key not in SETTABLE:
                raise CodescaleError(
                    f"--set cannot set {key!r}", field="--set", hint=f"settable: {', '.join(SETTABLE)}"
                )
            out[key] = value.strip()
    return out


SETTABLE = ("size", "tokens", "params_non_embedding", "flops", "seed")


@dataclass
class Wide:
    """Domain columns of a mixture experiment: {domain: column} for proportions, losses and unique tokens."""

    proportions: dict[str, str] = field(default_factory=dict)
    losses: dict[str, str] = field(default_factory=dict)
    unique: dict[str, str] = field(default_factory=dict)

    @property
    def active(self) -> bool:
        return bool(self.proportions or self.losses)


def match_glob(path: Path, columns: list[str], pattern: str, option: str) -> dict[str, str]:
    """{domain: column} for the columns matching ``pattern``, whose single ``*`` captures the domain name."""
    if pattern.count("*") != 1:
        raise CodescaleError(f"{option} {pattern!r} must contain exactly one * (where the domain name is)",
                             field=option, hint="e.g. --proportions 'p:*' --losses 'loss:*'")  # fmt: skip
    head, tail = pattern.split("*")
    regex = re.compile("^" + re.escape(head) + "(.+)" + re.escape(tail) + "$")
    out: dict[str, str] = {}
    for column in columns:
        m = regex.match(column)
        if not m:
            continue
        domain = domain_id(m.group(1))
        if domain in out:
            raise CodescaleError(f"{option}: columns {out[domain]!r} and {column!r} are both domain {domain!r}",
                                 source=path, field=option, hint="rename one of them, or narrow the glob")  # fmt: skip
        out[domain] = column
    if not out:
        raise CodescaleError(f"{option} {pattern!r} matches no column; the file has: "
                             f"{', '.join(repr(c) for c in columns[:30])}", source=path, field=option)  # fmt: skip
    return out


def import_table(
    db: str | Path | duckdb.DuckDBPyConnection | None,
    path: str | Path,
    mapping: dict[str, str] | None = None,
    *,
    study: str | None = None,
    language: str | None = None,
    proportions: str | None = None,
    losses: str | None = None,
    unique: str | None = None,
    constants: dict[str, str] | None = None,
    tokens_from_flops: bool = False,
    wait_s: float = store.LOCK_WAIT_S,
) -> ImportReport:
    """Load ``path`` (.csv/.tsv/.parquet) into the store as runs of ``study``; see the module docstring."""
    path = Path(path)
    columns, rows = _read_table(path)
    wide = Wide(
        match_glob(path, columns, proportions, "--proportions") if proportions else {},
        match_glob(path, columns, losses, "--losses") if losses else {},
        match_glob(path, columns, unique, "--unique") if unique else {},
    )
    constants = dict(constants or {})
    resolved = _resolve_columns(path, columns, mapping or {}, wide, constants, tokens_from_flops)
    study = study or path.stem
    fixed_language = domain_id(language) if language else None
    report = ImportReport(db=str(db if db is not None else store.default_db_path()), study=study)
    runs, evals, unique_tokens = _to_rows(path, resolved, columns, rows, study, fixed_language, report, wide,
                                          constants, tokens_from_flops)  # fmt: skip
    if not runs:
        raise CodescaleError(
            "no usable rows",
            source=path,
            hint=f"{report.skipped_nonfinite} non-finite and {report.skipped_empty} empty losses were skipped",
        )
    if isinstance(db, duckdb.DuckDBPyConnection):  # the caller's connection: the caller closes it
        con, own = db, False
    else:
        con, own = store.connect(db, wait_s=wait_s), True
    try:
        with store.transaction(con):
            old = [
                r[0]
                for r in con.execute(
                    "SELECT run_id FROM runs WHERE source = 'import' AND study = ?", [study]
                ).fetchall()
            ]
            store.delete_runs(con, old)
            clash = con.execute(
                "SELECT run_id, source FROM runs WHERE list_contains(?::VARCHAR[], run_id) LIMIT 1",
                [[r["run_id"] for r in runs]],
            ).fetchall()
            if clash:
                raise CodescaleError(
                    f"run id {clash[0][0]!r} already exists (from {clash[0][1]})",
                    source=path,
                    hint="import into another --study",
                )
            store.replace_runs(con, runs, evals, unique_tokens)
    except duckdb.Error as err:
        raise CodescaleError(f"import failed and changed nothing: {str(err).splitlines()[0]}", source=path) from None
    finally:
        if own:
            con.close()
    report.runs, report.evals, report.replaced = len(runs), len(evals), len(old)
    return report


def _read_table(path: Path) -> tuple[list[str], list[tuple]]:
    if not path.is_file():
        raise CodescaleError("no such file", source=path)
    suffix = path.suffix.lower()
    con = duckdb.connect()
    try:
        if suffix == ".parquet":
            result = con.execute("SELECT * FROM read_parquet(?)", [str(path)])
        elif suffix in (".csv", ".tsv", ".txt"):
            result = con.execute("SELECT * FROM read_csv(?, header = true, all_varchar = true)", [str(path)])
        else:
            raise CodescaleError(
                f"unsupported file type {suffix or '(none)'}", source=path, hint="use .csv, .tsv or .parquet"
            )
        columns = [d[0] for d in result.description]
        return columns, result.fetchall()
    except duckdb.Error as err:
        raise CodescaleError(f"cannot read the table: {str(err).splitlines()[0]}", source=path) from None
    finally:
        con.close()


def _resolve_columns(path: Path, columns: list[str], mapping: dict[str, str], wide: Wide | None = None,
                     constants: dict[str, str] | None = None, tokens_from_flops: bool = False) -> dict[str, str]:  # fmt: skip
    wide, constants = wide or Wide(), constants or {}
    by_lower = {c.lower(): c for c in columns}
    resolved: dict[str, str] = {}
    missing = []
    for key, column in mapping.items():
        if column in columns:
            resolved[key] = column
        elif column.lower() in by_lower:
            resolved[key] = by_lower[column.lower()]
        else:
            missing.append(f"{key}={column!r} (no such column)")
    for key, names in DEFAULT_COLUMNS.items():
        if key not in mapping and key not in constants and not (key == "loss" and wide.losses):
            found = next((by_lower[n] for n in names if n in by_lower), None)
            if found:
                resolved[key] = found
    if "flops" not in resolved and "flops" not in mapping and "flops" not in constants:
        found = next(
            (by_lower[n] for n in ("flops", "c", "compute", "training flop", "training_flops") if n in by_lower), None
        )
        if found and tokens_from_flops:
            resolved["flops"] = found
    needed = [key for key in REQUIRED if not (key == "loss" and wide.losses)]
    if tokens_from_flops:
        needed = [k for k in needed if k != "tokens"]
        if "flops" not in resolved and "flops" not in constants:
            missing.append("flops (needed by --tokens-from-flops: map a column or --set flops=...)")
    missing += [f"{key} (not mapped)" for key in needed if key not in resolved and key not in mapping
                and key not in constants]  # fmt: skip
    if missing:
        raise CodescaleError(
            f"missing {', '.join(missing)}; the file has columns: {', '.join(repr(c) for c in columns)}",
            source=path,
            field="--map",
            hint=f"say which column holds what: {MAP_SYNTAX}",
        )
    return resolved


def _to_rows(path: Path, columns: dict[str, str], header: list[str], rows: list[tuple], study: str,
             fixed_language: str | None, report: ImportReport, wide: Wide | None = None,
             constants: dict[str, str] | None = None, tokens_from_flops: bool = False):  # fmt: skip
    """Parse every row; collect all bad cells before failing, so one run of the command shows every fix needed.

    Returns run rows, eval rows and {run_id: {domain: unique tokens}}."""
    wide, constants = wide or Wide(), constants or {}
    errors: list[CodescaleError] = []
    runs: dict[str, dict] = {}
    evals: list[dict] = []
    unique_tokens: dict[str, dict[str, int]] = {}
    first = 1 if path.suffix.lower() == ".parquet" else 2  # a CSV's header is line 1; parquet rows count from 1
    for number, values in enumerate(rows, start=first):
        row = dict(zip(header, values))

        def cell(key: str, row: dict[str, Any] = row) -> Any:
            if key in columns:
                return row.get(columns[key])
            return constants.get(key)

        def fail(key: str, message: str, number: int = number) -> None:
            errors.append(CodescaleError(message, source=path, line=number, field=f"{key} ({columns.get(key, key)!r})"))

        losses: dict[str, float] = {}
        if wide.losses:
            for domain, column in wide.losses.items():
                text = row.get(column)
                if text is None or str(text).strip() == "":
                    report.skipped_empty += 1
                    continue
                try:
                    value = float(text)
                except ValueError:
                    errors.append(CodescaleError(f"expected a number, got {text!r}", source=path, line=number,
                                                 field=f"--losses ({column!r})"))  # fmt: skip
                    continue
                if not math.isfinite(value):
                    report.skipped_nonfinite += 1
                    continue
                losses[domain] = value
            if not losses:
                continue
        else:
            loss_text = cell("loss")
            if loss_text is None or str(loss_text).strip() == "":
                report.skipped_empty += 1
                continue
            try:
                loss = float(loss_text)
            except ValueError:
                fail("loss", f"expected a number, got {loss_text!r}")
                continue
            if not math.isfinite(loss):
                report.skipped_nonfinite += 1
                continue
        try:
            params = parse_count(cell("size"))
        except ValueError as err:
            fail("size", str(err))
            continue
        flops = 6.0 * params  # times tokens, below
        explicit_flops = None
        if cell("flops") not in (None, ""):
            try:
                explicit_flops = float(cell("flops"))
                if not math.isfinite(explicit_flops) or explicit_flops <= 0:
                    raise ValueError
            except ValueError:
                fail("flops", f"expected a positive number, got {cell('flops')!r}")
                continue
        try:
            if tokens_from_flops:
                if explicit_flops is None:
                    raise ValueError("no FLOPs value to derive the tokens from")
                tokens = int(round(explicit_flops / (6.0 * params)))
                if tokens <= 0:
                    raise ValueError(f"C/(6N) = {explicit_flops:g}/(6*{params}) is not a positive token count")
            else:
                tokens = parse_count(cell("tokens"))
        except ValueError as err:
            fail("tokens", str(err))
            continue
        flops = explicit_flops if explicit_flops is not None else flops * tokens
        if wide.proportions:
            shares_by_domain = _wide_shares(row, wide.proportions)
            if isinstance(shares_by_domain, str):
                errors.append(CodescaleError(shares_by_domain, source=path, line=number, field="--proportions"))
                continue
            mixture = [d for d, v in shares_by_domain.items() if v > 0]
            shares = [shares_by_domain[d] for d in mixture]
            evaluated = None
        else:
            try:
                evaluated = fixed_language or (
                    domain_id(cell("language")) if cell("language") not in (None, "") else None
                )
                mixture = (
                    [domain_id(x) for x in re.split(r"[+,;/ ]+", str(cell("languages")).strip()) if x]
                    if cell("languages") not in (None, "")
                    else ([evaluated] if evaluated else [])
                )
            except CodescaleError as err:
                fail("language", f"{err.message} ({err.hint})")
                continue
            shares = _shares(cell("proportions"), len(mixture))
            if shares is None:
                fail(
                    "proportions",
                    f"expected {len(mixture)} numbers like 0.5+0.5 matching languages, got {cell('proportions')!r}",
                )
                continue
        optional = {}
        for key in ("params_non_embedding", "seed"):
            if cell(key) not in (None, ""):
                try:
                    optional[key] = parse_count(cell(key)) if key != "seed" else int(float(cell(key)))
                except ValueError as err:
                    fail(key, str(err))
        run_key = (
            str(cell("run")) if "run" in columns and cell("run") not in (None, "") else f"{number - first + 1:05d}"
        )
        run_id = f"{study}-{run_key}"
        if run_id not in runs:
            proportions = dict(zip(mixture, shares))
            runs[run_id] = {
                "run_id": run_id,
                "study": study,
                "name": str(cell("name") or run_id),
                "spec": str(path.resolve()),
                "source": "import",
                "status": "completed",
                "sweep": json.dumps({}),
                "languages": mixture,
                "params": params,
                "tokens": tokens,
                "params_non_embedding": optional.get("params_non_embedding"),
                "seed": optional.get("seed"),
                "flops": flops,
                "proportions": json.dumps(proportions),
                "tokens_per_language": json.dumps({lang: round(tokens * p) for lang, p in proportions.items()}),
                "mixture_kind": "explicit" if mixture else None,
                "pairing_mode": "none",
                "run_json": json.dumps(
                    {"file": str(path), "line": number, **{k: _jsonable(v) for k, v in row.items()}}
                ),
            }
            if wide.unique:
                unique = _wide_unique(row, wide.unique, mixture)
                if isinstance(unique, str):
                    errors.append(CodescaleError(unique, source=path, line=number, field="--unique"))
                else:
                    unique_tokens[run_id] = unique
        if wide.losses:
            evals += [{"run_id": run_id, "step": None, "tokens": tokens, "metric": "valid_loss", "language": domain,
                       "loss": value, "is_final": True} for domain, value in losses.items()]  # fmt: skip
        else:
            evals.append({"run_id": run_id, "step": None, "tokens": tokens, "metric": "valid_loss",
                          "language": evaluated, "loss": loss, "is_final": True})  # fmt: skip
    if errors:
        raise CodescaleErrors(errors[:20])
    if report.skipped_nonfinite:
        what = "loss cells" if wide.losses else "rows"
        report.warnings.append(
            CodescaleError(f"{report.skipped_nonfinite} {what} with NaN or infinite loss skipped", source=path)
        )
    if report.skipped_empty:
        what = "loss cells" if wide.losses else "rows"
        report.warnings.append(CodescaleError(f"{report.skipped_empty} {what} with an empty loss skipped", source=path))
    return list(runs.values()), evals, unique_tokens


def _decimals(text: str) -> int:
    mantissa, _, exponent = text.strip().lower().partition("e")
    digits = len(mantissa.partition(".")[2])
    return digits - (int(exponent) if exponent.lstrip("+-").isdigit() else 0)


def _wide_shares(row: dict[str, Any], columns: dict[str, str]) -> dict[str, float] | str:
    """{domain: share} rescaled to sum to 1, or the error message for this row."""
    values, rounding = {}, 0.0
    for domain, column in columns.items():
        text = row.get(column)
        if text is None or str(text).strip() == "":
            values[domain] = 0.0
            continue
        try:
            value = float(text)
        except ValueError:
            return f"proportion {column!r} is {text!r}, not a number"
        if not math.isfinite(value) or value < 0:
            return f"proportion {column!r} is {text!r}; proportions must be finite and >= 0"
        values[domain] = value
        rounding += 0.5 * 10.0 ** -_decimals(str(text)) if isinstance(text, str) else 1e-9
    total = sum(values.values())
    if abs(total - 1.0) > rounding + 1e-9:
        return (
            f"proportions sum to {total:.6g}, not 1 (beyond the rounding of the printed digits, ±{rounding:.2g}); "
            "fix the row, or check that --proportions matches only the proportion columns"
        )
    return {d: v / total for d, v in values.items()}


def _wide_unique(row: dict[str, Any], columns: dict[str, str], mixture: list[str]) -> dict[str, int] | str:
    out = {}
    for domain, column in columns.items():
        text = row.get(column)
        if text is None or str(text).strip() == "" or domain not in mixture:
            continue
        try:
            out[domain] = parse_count(text)
        except ValueError as err:
            return f"unique tokens {column!r}: {err}"
    return out


def _shares(text: Any, n: int) -> list[float] | None:
    if text in (None, ""):
        return [1.0 / n] * n if n else []
    try:
        values = [float(x) for x in re.split(r"[+,;/ ]+", str(text).strip()) if x]
    except ValueError:
        return None
    if len(values) != n or any(not math.isfinite(v) or v < 0 for v in values) or sum(values) <= 0:
        return None
    total = sum(values)
    return [v / total for v in values]


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, bool)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    return str(value)
