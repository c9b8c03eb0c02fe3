"""``codescale report``: PNG figures and a Markdown summary of what the store's fits say.

Figures (matplotlib, Agg backend, written only when their fits exist):

- ``loss_vs_n.png`` / ``loss_vs_d.png``: per language, the runs of its newest per-language fit (or of ``--batch``)
  against N (one colour per token budget) and against D (one colour per size), the fitted law as lines and its 95%
  bootstrap band (percentiles of the law over the stored draws) as shading;
- ``synergy.png``: the newest synergy matrix as a heatmap of relative gains (positive = mixing helps);
- ``allocation.png``: shares under the newest mixture fit at the paper's §6 point (1.5B, 350B tokens) next to
  uniform and the paper's reconstructed guided allocation (when its domains are languages);
- ``predicted_vs_actual.png``: the in-sample predictions of the fits the report shows (per-language, translation,
  newest mixture law) and the held-out points of the newest validations, against the observed loss;
- ``pass_vs_loss.png``: per language, the pass@1 of every evaluated checkpoint against its validation loss, and the
  newest ``fit pass-rate`` logistic of that language as a line (written when generation evals are in the store).

``summary.md`` lists the fits with parameters and intervals, an **identified** column (a fit the data do not pin down
says why: a parameter on its bound, an estimate outside its own interval), the synergy table, the mixture-law
comparison, the newest mixture fit and the per-domain validations, and links the figures.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np

from codescale.core.errors import CodescaleError
from codescale.laws import forms
from codescale.laws.fitstore import StoredFit, fits_in_batch, latest_fit, load_fit
from codescale.laws.present import LAW_NAMES, fits_markdown, identified_markdown, synergy_table


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _language_fits(con, batch: str | None) -> dict[str, StoredFit]:
    if batch:
        ids = fits_in_batch(con, batch)
    else:
        langs = [r[0] for r in con.execute("SELECT DISTINCT group_value FROM fits WHERE kind = 'chinchilla' "
                                           "AND group_key = 'language' ORDER BY 1").fetchall()]  # fmt: skip
        ids = [latest_fit(con, "chinchilla", lang) for lang in langs]
    fits = [load_fit(con, i) for i in ids if i]
    return {f.group_value: f for f in fits if f.group_key == "language" and f.group_value is not None}


def _points(con, fit: StoredFit):
    prov = fit.provenance
    rows = con.execute(
        f"SELECT {prov['n_expr']}, {prov['d_expr']}, loss FROM {prov['view']} WHERE {prov['selection_where']}"
    ).fetchall()
    arr = np.array([[np.nan if v is None else v for v in r] for r in rows], dtype=float)
    return arr[:, 0], arr[:, 1], arr[:, 2]


def _band(fit: StoredFit, n, d):
    scale = forms.UNITS[fit.settings.get("units", "raw")]
    if not fit.samples or "A" not in fit.samples:
        return None
    draws = np.array([forms.predict({k: fit.samples[k][i] for k in LAW_NAMES}, n / scale, d / scale)
                      for i in range(len(fit.samples["A"]))])  # fmt: skip
    return np.nanpercentile(draws, 2.5, axis=0), np.nanpercentile(draws, 97.5, axis=0)


def _law_figure(plt, con, fits: dict[str, StoredFit], path: Path, along: str) -> None:
    k = len(fits)
    cols = min(4, k)
    rows = (k + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.4 * rows), squeeze=False)
    for ax, (lang, fit) in zip(axes.flat, sorted(fits.items())):
        n, d, loss = _points(con, fit)
        scale = forms.UNITS[fit.settings.get("units", "raw")]
        x, other = (n, d) if along == "N" else (d, n)
        levels = np.unique(other)
        colours = plt.cm.viridis(np.linspace(0, 0.9, len(levels)))
        grid = np.geomspace(x.min() * 0.8, x.max() * 1.25, 80)
        for level, colour in zip(levels, colours):
            sel = other == level
            ax.scatter(x[sel], loss[sel], s=14, color=colour, zorder=3)
            nn, dd = (grid, np.full_like(grid, level)) if along == "N" else (np.full_like(grid, level), grid)
            ax.plot(grid, forms.predict(fit.params, nn / scale, dd / scale), color=colour, lw=1.2,
                    label=f"{'D' if along == 'N' else 'N'}={level / 1e9:.3g}B")  # fmt: skip
            band = _band(fit, nn, dd)
            if band is not None:
                ax.fill_between(grid, band[0], band[1], color=colour, alpha=0.18, lw=0)
        ax.set_xscale("log")
        ax.xaxis.set_minor_formatter(plt.NullFormatter())  # minor labels of a 2B..64B axis overlap
        ax.set_title(f"{lang}: α={fit.params['alpha']:.3f} β={fit.params['beta']:.3f} E={fit.params['E']:.3f}",
                     fontsize=9)  # fmt: skip
        ax.set_xlabel("non-embedding parameters N" if along == "N" else "training tokens D")
        ax.set_ylabel("validation loss (nats/token)")
        ax.grid(alpha=0.3, which="both")
        if len(levels) <= 8:
            ax.legend(fontsize=6, loc="upper right")
    for ax in list(axes.flat)[k:]:
        ax.axis("off")
    fig.suptitle(f"Per-language law L = E + A/N^α + B/D^β vs {along} (bands: 95% bootstrap)", fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _synergy_figure(plt, fit: StoredFit, path: Path) -> None:
    from codescale.core.domains import domain_display as display

    langs = fit.settings["languages"]
    m = np.full((len(langs), len(langs)), np.nan)
    for i, t in enumerate(langs):
        for j, a in enumerate(langs):
            m[i, j] = fit.params.get(f"rel_gain:{t}:{a}", np.nan)
    fig, ax = plt.subplots(figsize=(7, 6))
    lim = np.nanmax(np.abs(m)) if np.isfinite(m).any() else 1.0
    im = ax.imshow(100 * m, cmap="RdBu", vmin=-100 * lim, vmax=100 * lim)
    for i in range(len(langs)):
        for j in range(len(langs)):
            if np.isfinite(m[i, j]):
                dark = abs(m[i, j]) > 0.6 * lim  # white text on the saturated cells
                ax.text(j, i, f"{100 * m[i, j]:+.1f}", ha="center", va="center", fontsize=8,
                        color="white" if dark else "black")  # fmt: skip
    ax.set_xticks(range(len(langs)), [display(x) for x in langs], rotation=45)
    ax.set_yticks(range(len(langs)), [display(x) for x in langs])
    ax.set_xlabel("auxiliary language (mixed in 50:50)")
    ax.set_ylabel("target language (evaluated)")
    ax.set_title(f"Synergy: relative gain over self×2 (%), {fit.group_value}", fontsize=10)
    fig.colorbar(im, ax=ax, label="% (positive = mixing helps)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _allocation_figure(plt, con, fit_id: str, path: Path):
    from codescale.laws.allocate import allocate
    from codescale.laws.presets import PAPER_GUIDED_SHARES

    result = allocate(con, fit_id, 350e9, 1.5e9, starts=8)
    langs = result.languages
    x = np.arange(len(langs))
    fig, ax = plt.subplots(figsize=(8, 4))
    ax.bar(x - 0.27, [100 / len(langs)] * len(langs), 0.27, label="uniform", color="#bbbbbb")
    ax.bar(x, [100 * result.proportions[lang] for lang in langs], 0.27, label=f"optimised ({result.model})")
    if not set(langs) & set(PAPER_GUIDED_SHARES):
        ax.bar(x, [0] * len(langs), 0.27)  # other domains: no paper reference
    ax.bar(x + 0.27, [100 * PAPER_GUIDED_SHARES.get(lang, np.nan) for lang in langs], 0.27,
           label="paper Fig. 5(b) (reconstructed)", color="#e6a04b")  # fmt: skip
    ax.set_xticks(x, langs)
    ax.set_ylabel("share of training tokens (%)")
    ci = f" [{result.gain_interval[0]:+.4f}, {result.gain_interval[1]:+.4f}]" if result.gain_interval else ""
    ax.set_title(f"Allocation at 1.5B / 350B tokens: predicted gain {result.gain:+.4f} nats{ci}", fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return result


def _prediction_figure(plt, con, path: Path, fit_ids: list[str]) -> int:
    rows = con.execute(
        "SELECT f.kind, p.observed, p.predicted FROM predictions p JOIN fits f USING (fit_id) "
        "WHERE f.fit_id IN (SELECT unnest(?::VARCHAR[])) AND p.observed IS NOT NULL AND p.predicted IS NOT NULL",
        [fit_ids],
    ).fetchall()
    if not rows:
        return 0
    fig, ax = plt.subplots(figsize=(5.5, 5.5))
    kinds = sorted({r[0] for r in rows})
    for kind in kinds:
        pts = np.array([(o, p) for k, o, p in rows if k == kind])
        marker = "x" if kind == "validation" else "o"
        ax.scatter(pts[:, 0], pts[:, 1], s=12 if kind != "validation" else 30, marker=marker, alpha=0.6,
                   label=f"{kind} ({'held out' if kind == 'validation' else 'in sample'}, {len(pts)})")  # fmt: skip
    lo = min(min(r[1], r[2]) for r in rows) * 0.95
    hi = max(max(r[1], r[2]) for r in rows) * 1.05
    ax.plot([lo, hi], [lo, hi], color="black", lw=0.8)
    ax.set_xlabel("observed loss")
    ax.set_ylabel("predicted loss")
    ax.set_title("Predicted vs actual")
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return len(rows)


def _pass_rate_section(plt, con, out: Path) -> list[str]:
    """pass@1 against validation loss per language, with the newest pass-rate fit of each language."""
    try:
        rows = con.execute("SELECT language, valid_loss, pass_at_k, suite FROM pass_vs_loss "
                           "WHERE k = 1 AND valid_loss IS NOT NULL ORDER BY language").fetchall()
    except duckdb.Error:  # a store without generation evals
        return []
    if not rows:
        return []
    from codescale.laws.passrate import logistic

    languages = sorted({r[0] for r in rows})
    fits = {lang: load_fit(con, fit_id) for lang in languages if (fit_id := latest_fit(con, "pass_rate", lang))}
    cols = min(4, len(languages))
    grid_rows = (len(languages) + cols - 1) // cols
    fig, axes = plt.subplots(grid_rows, cols, figsize=(4.2 * cols, 3.4 * grid_rows), squeeze=False)
    for ax, lang in zip(axes.flat, languages):
        points = np.array([(r[1], r[2]) for r in rows if r[0] == lang], dtype=float)
        ax.scatter(points[:, 0], points[:, 1], s=16, zorder=3)
        fit = fits.get(lang)
        if fit is not None:
            grid = np.linspace(points[:, 0].min() * 0.9, points[:, 0].max() * 1.1, 100)
            ax.plot(grid, logistic(grid, fit.params["c"], fit.params["s"], fit.params["L0"]), lw=1.2,
                    label=f"c={fit.params['c']:.2f} s={fit.params['s']:.2f} L0={fit.params['L0']:.2f}")  # fmt: skip
            ax.legend(fontsize=6)
        ax.set_title(lang, fontsize=9)
        ax.set_xlabel("validation loss (nats/token)")
        ax.set_ylabel("pass@1")
        ax.set_ylim(-0.02, 1.02)
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(languages):]:
        ax.axis("off")
    fig.suptitle("pass@1 vs validation loss (lines: logistic fits)", fontsize=11)
    fig.tight_layout()
    fig.savefig(out / "pass_vs_loss.png", dpi=110)
    plt.close(fig)
    md = ["## pass@1 vs validation loss", "",
          f"{len(rows)} evaluated checkpoint(s) x language; pass@1 = c / (1 + exp(s (L - L0))) per language "
          "(`codescale fit pass-rate`).", ""]  # fmt: skip
    if fits:
        md += fits_markdown(fits.values(), names=("c", "s", "L0"))
        md.append("")
    return md + ["![pass@1 vs loss](pass_vs_loss.png)", ""]


def write_report(con: duckdb.DuckDBPyConnection, out: Path, batch: str | None = None) -> Path:
    """Write the figures and ``summary.md`` into ``out``; returns the summary's path."""
    from codescale.laws.fitstore import ensure_tables

    ensure_tables(con)
    plt = _plt()
    out.mkdir(parents=True, exist_ok=True)
    md = ["# codescale report", ""]
    language_fits = _language_fits(con, batch)
    if language_fits:
        _law_figure(plt, con, language_fits, out / "loss_vs_n.png", "N")
        _law_figure(plt, con, language_fits, out / "loss_vs_d.png", "D")
        units = {f.settings.get("units") for f in language_fits.values()}
        md += ["## Per-language laws", "",
               f"L = E + A/N^α + B/D^β, N = non-embedding parameters, units: {', '.join(sorted(map(str, units)))}; "
               "Huber (δ = 1e-3) on log loss, full grid + L-BFGS-B; 95% bootstrap intervals where fitted.", ""]  # fmt: skip
        md += fits_markdown(language_fits.values())
        md += ["", "![loss vs N](loss_vs_n.png)", "", "![loss vs D](loss_vs_d.png)", ""]
    else:
        md += ["No per-language fits yet: run `codescale fit chinchilla`.", ""]
    translation = [load_fit(con, r[0]) for r in con.execute(
        "SELECT fit_id FROM fits WHERE kind = 'translation' AND json_extract_string(provenance, '$.batch') = "
        "(SELECT json_extract_string(provenance, '$.batch') FROM fits WHERE kind = 'translation' "
        "ORDER BY created DESC LIMIT 1) ORDER BY group_value").fetchall()]  # fmt: skip
    if translation:
        md += ["## Translation laws", "", "L = A·N^−α + B·D^−β + L∞ (L∞ = E), N and D in the fit's units.", ""]
        md += fits_markdown(translation)
        md.append("")
    synergy_id = latest_fit(con, "synergy")
    if synergy_id:
        fit = load_fit(con, synergy_id)
        _synergy_figure(plt, fit, out / "synergy.png")
        md += ["## Synergy (paper Table 1 definition)", "", f"`{synergy_id}`, {fit.group_value}: relative gain of the "
               "50:50 mixture over self×2 (positive = mixing helps).", "", "```", synergy_table(fit), "```", "",
               "![synergy](synergy.png)", ""]  # fmt: skip
    comparison_id = latest_fit(con, "mixture_comparison")
    if comparison_id:
        comp = load_fit(con, comparison_id)
        md += ["## Mixture laws compared", "", f"{comp.settings['scheme']}; winner: **{comp.settings['winner']}**.",
               "", "| rank | law | MAE | mean rel. error | max rel. error | Spearman |", "|---|---|---|---|---|---|"]  # fmt: skip
        for i, law in enumerate(comp.settings.get("ranking", [])):
            g = comp.params.get
            md.append(f"| {i + 1} | {law} | {g(f'{law}.mae', float('nan')):.4g} | {100 * g(f'{law}.mean_rel', float('nan')):.2f}% "
                      f"| {100 * g(f'{law}.max_rel', float('nan')):.2f}% | {g(f'{law}.spearman', float('nan')):.4f} |")  # fmt: skip
        for law, reason in (comp.settings.get("skipped") or {}).items():
            md.append(f"| – | {law} | not fitted: {reason} | | | |")
        md.append("")
    mixture_id = latest_fit(con, "mixture")
    if mixture_id:
        fit = load_fit(con, mixture_id)
        counts = fit.settings.get("bootstrap_converged") or {}
        md += ["## Newest mixture law", "", f"`{mixture_id}`: law **{fit.form}** over {fit.n_runs} runs; converged: "
               f"{fit.converged}; identified: {identified_markdown(fit)}."
               + (f" Bootstrap: {fit.settings.get('options', {}).get('bootstrap')} replicates, converged per unit "
                  f"{min(counts.values())}–{max(counts.values())} (intervals from those only)." if counts and
                  all(v is not None for v in counts.values()) else ""), ""]  # fmt: skip
        for w in fit.warnings[:10]:
            md.append(f"- warning: {w}")
        md.append("")
        try:
            result = _allocation_figure(plt, con, mixture_id, out / "allocation.png")
            md += ["## Allocation", "", "```", result.render(), "```", "", "![allocation](allocation.png)", ""]
        except CodescaleError as err:
            md += ["## Allocation", "", f"Not computed: {err.message}", ""]
    validations = [load_fit(con, r[0]) for r in con.execute(
        "SELECT fit_id FROM fits WHERE kind = 'validation' ORDER BY created DESC LIMIT 20").fetchall()]  # fmt: skip
    if validations:
        md += ["## Validation (held-out runs)", "", "| validation | of fit | law | scheme | MAE | mean rel. | max rel. |",
               "|---|---|---|---|---|---|---|"]  # fmt: skip
        for v in validations:
            md.append(f"| `{v.fit_id}` | `{v.settings['validated_fit']}` | {v.settings.get('law', v.form)} | "
                      f"{v.settings['scheme']} | {v.params['mae']:.4g} | {100 * v.params['mean_rel']:.2f}% | "
                      f"{100 * v.params['max_rel']:.2f}% |")  # fmt: skip
        md.append("")
        rows = con.execute("SELECT validation_id, domain, n_heldout, mae, mean_rel_err, max_rel_err, spearman "
                           "FROM validations WHERE validation_id = ? ORDER BY domain NULLS LAST",
                           [validations[0].fit_id]).fetchall()  # fmt: skip
        if rows:
            md += [f"Per domain, `{validations[0].fit_id}`:", "", "| domain | held out | MAE | mean rel. | max rel. | "
                   "Spearman |", "|---|---|---|---|---|---|"]  # fmt: skip
            for _, domain, n, mae, mean_rel, max_rel, rho in rows:
                md.append(f"| {domain or '(overall)'} | {n} | {mae:.4g} | {100 * mean_rel:.2f}% | {100 * max_rel:.2f}% | "
                          f"{'nan' if rho is None else f'{rho:.4f}'} |")  # fmt: skip
            md.append("")
    shown = [f.saved_id for f in [*language_fits.values(), *translation, *validations]]
    shown += [mixture_id] if mixture_id else []
    if _prediction_figure(plt, con, out / "predicted_vs_actual.png", shown):
        md += ["## Predicted vs actual", "", "![predicted vs actual](predicted_vs_actual.png)", ""]
    md += _pass_rate_section(plt, con, out)
    path = out / "summary.md"
    path.write_text("\n".join(md) + "\n")
    return path
