"""What the paper's law, effective_data and synergy_factor take from earlier fits: per-domain laws and τ.

- Per-domain laws: the ``chinchilla`` fits grouped by language (any domain), from a batch id, a comma list of fit
  ids, or by default the newest fit of each domain. They are passed to the mixture laws as {domain: {A, B, E, alpha,
  beta}} with N and D in billions (the exponents and E do not depend on the units; A and B are converted).
- τ: the relative gains g_ij of a ``synergy`` fit (target i, auxiliary j; :mod:`.synergy`), the newest by default.
  Without any synergy fit τ = 0, with a warning: γ and κ then have nothing to scale and are flagged unidentified.
"""

from __future__ import annotations

import duckdb

from codescale.core.errors import CodescaleError
from codescale.laws import forms
from codescale.laws.fitstore import StoredFit, ensure_tables, fits_in_batch, latest_fit, load_fit
from codescale.laws.synergy import transfer_matrix

LAW_KEYS = ("A", "B", "E", "alpha", "beta")


def per_domain_fits(con: duckdb.DuckDBPyConnection, spec: str | None) -> dict[str, StoredFit]:
    """Per-domain chinchilla fits: a batch id, a comma list of fit ids, or (None) the newest per domain."""
    ensure_tables(con)
    if spec:
        ids = fits_in_batch(con, spec) or [s.strip() for s in spec.split(",") if s.strip()]
    else:
        domains = [r[0] for r in con.execute(
            "SELECT DISTINCT group_value FROM fits WHERE kind = 'chinchilla' AND group_key = 'language' "
            "AND group_value IS NOT NULL").fetchall()]  # fmt: skip
        ids = [fit_id for domain in domains if (fit_id := latest_fit(con, "chinchilla", domain)) is not None]
    fits = {}
    for fit_id in ids:
        fit = load_fit(con, fit_id)
        if fit.kind != "chinchilla" or fit.group_key != "language":
            raise CodescaleError(f"fit {fit_id} is not a per-domain law (kind {fit.kind}, by {fit.group_key})")
        if fit.group_value is None:
            raise CodescaleError(
                f"fit {fit_id} is the law of runs without a domain (their language is NULL)",
                hint="give those runs a language (`codescale import --language`) and fit again",
            )
        fits[fit.group_value] = fit
    return fits


def law_in_billions(fit: StoredFit) -> dict[str, float]:
    params = {k: fit.params.get(k, 0.0 if k in ("B", "beta") else float("nan")) for k in LAW_KEYS}
    return forms.convert_params(params, fit.settings.get("units", "raw"), "billions")


def domain_inputs(con: duckdb.DuckDBPyConnection, per_domain: str | None, synergy: str | None):
    """(domain laws in billions, τ as {target: {aux: g}}, provenance dict, warnings)."""
    fits = per_domain_fits(con, per_domain)
    laws = {domain: law_in_billions(fit) for domain, fit in fits.items()}
    warnings = []
    synergy_id = synergy or latest_fit(con, "synergy")
    tau: dict[str, dict[str, float]] = {}
    if synergy_id:
        tau = transfer_matrix(load_fit(con, synergy_id))
    else:
        warnings.append("no synergy fit in the store: tau = 0 (fit one with `codescale fit synergy`)")
    provenance = {"per_domain_fits": {d: f.fit_id for d, f in fits.items()}, "synergy_fit": synergy_id}
    return laws, tau, provenance, warnings
