"""Translation scaling laws, seen vs unseen directions (the paper's Eqs. 3–5).

Form: L = A·N^−α + B·D^−β + L∞ (the per-language form of :mod:`.forms`, with L∞ = E), fitted exactly like the
per-language law (:mod:`.fit`) on ``translation_final``, one law per group:

- ``--by setting`` (default): pairing mode × seen/unseen, e.g. ``none/unseen`` (the shuffled baseline, Eq. 3),
  ``parallel/seen`` (Eq. 4), ``parallel/unseen`` (zero-shot, Eq. 5);
- ``--by template``: the same split further by the pairing template (``parallel:direct/seen``, ``parallel:prompt/...``);
- ``--by direction``: one law per direction and pairing mode (the paper's Table 2).

For ``setting`` and ``template`` each run contributes one point per group, its mean translation loss over the group's
directions (the quantity of the paper's Fig. 3), so the bootstrap resamples runs. When every run of a group has the
same token count (the paper's §5 trains every size on the same 1T tokens) the D term cannot be identified; that group
is then fitted as L = E' + A·N^−α (E' absorbing the data term at that D), with a warning stored with the fit.
"""

from __future__ import annotations

import duckdb

from codescale.core.errors import CodescaleError
from codescale.laws.fit import FitSettings
from codescale.laws.fitstore import N_COLUMNS, StoredFit, fit_groups

SEEN = "CASE WHEN seen THEN 'seen' ELSE 'unseen' END"
GROUPS = {
    "setting": (f"coalesce(pairing_mode, 'none') || '/' || {SEEN}", "setting"),
    "template": (f"coalesce(pairing_mode, 'none') || coalesce(':' || pairing_template, '') || '/' || {SEEN}",
                 "setting"),
    "direction": ("coalesce(pairing_mode, 'none') || ':' || direction", "direction"),
}  # fmt: skip


def fit_translation_laws(
    con: duckdb.DuckDBPyConnection, where: str = "true", by: str = "setting", settings: FitSettings | None = None,
    n_column: str = "params_non_embedding", batch: str = "",
) -> list[StoredFit]:  # fmt: skip
    if by not in GROUPS:
        raise CodescaleError(f"unknown grouping {by!r}", hint=f"use one of {', '.join(GROUPS)}")
    settings = settings or FitSettings(units="billions")
    group_expr, group_key = GROUPS[by]
    return fit_groups(
        con, kind="translation", view="translation_final", where=where, group_expr=group_expr, group_key=group_key,
        label_expr="direction", n_expr=N_COLUMNS[n_column], d_expr="tokens", settings=settings, batch=batch,
        extra_settings={"n_column": n_column, "d_column": "tokens", "by": by,
                        "target": "mean translation loss over the group's directions per run"
                        if by != "direction" else "translation loss per run"},
        mean_over_labels=by != "direction", auto_n_only=True,
    )  # fmt: skip
