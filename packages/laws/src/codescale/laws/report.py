"""``codescale report``: PNG figures, a Markdown summary and one self-contained HTML page of what the store says.

Figures (matplotlib, Agg backend, written only when their data exist):

- ``loss_vs_n.png`` / ``loss_vs_d.png`` / ``loss_vs_compute.png``: per language, the runs of its newest per-language
  fit (or of ``--batch``) against N (one colour per token budget), D (one colour per size) and compute C = 6ND (one
  colour per size), the fitted law as lines; the y axis spans the data (and the curves over the data's range), the
  title gives E, α and β. Intervals are in the fits table, not drawn as bands;
- ``synergy.png``: the newest synergy matrix as a heatmap of relative gains with their intervals, beside the signs
  of the paper's Table 1 for the same pairs (positive = mixing helps);
- ``pairing.png``: mean final translation loss (target tokens only) per data organisation (shuffled, direct,
  prompt) on directions seen in training and unseen ones, with the spread over runs x directions;
- ``translation_laws.png``: the newest translation laws (mean translation loss per setting against N), with the
  runs' points;
- ``mixture_laws.png``: the newest mixture-law comparison, held-out mean and max relative error per law;
- ``allocation_check.png``: per allocation tested (view ``allocation_check``), its shares against uniform and its
  predicted gain over uniform against the realised one, with intervals;
- ``allocation.png``: shares under the newest mixture fit at the paper's §6 point (1.5B, 350B tokens) next to
  uniform and the paper's reconstructed guided allocation (when its domains are languages);
- ``predicted_vs_actual.png``: the in-sample predictions of the fits the report shows (per-language, translation,
  newest mixture law) and the held-out points of the newest validations, against the observed loss;
- ``pass_vs_loss.png``: per language, the pass@1 of every evaluated checkpoint against its validation loss, and the
  newest ``fit pass-rate`` logistic of that language as a line (written when generation evals are in the store).

``summary.md`` opens with a table of the paper's directions and whether this store reproduces them (reproduced / not
reproduced / not testable at this scale), computed from the fits and views (:mod:`.directions`); then it lists the
fits with parameters and intervals, an **identified** column (a fit the data do not pin down says why: a parameter on
its bound, an estimate outside its own interval), the synergy table, the pairing effect, the mixture-law comparison,
the newest mixture fit and the per-domain validations, the allocations tested, pass@1, and links the figures.
``report.html`` is the same content as one page with every figure embedded (base64 PNG): one file to send.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np

from codescale.core.errors import CodescaleError
from codescale.core.io import atomic_write_text
from codescale.laws import forms
from codescale.laws.fitstore import StoredFit, fits_in_batch, latest_fit, load_fit
from codescale.laws.present import fits_markdown, identified_markdown, synergy_table


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


def human(x: float) -> str:
    """20k, 1.5M, 2B: a count for a legend or a title."""
    for div, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= div:
            return f"{x / div:.3g}{suffix}"
    return f"{x:.3g}"


def _law_figure(plt, con, fits: dict[str, StoredFit], path: Path, along: str) -> None:
    """Loss against N, D or compute C = 6ND per language: the runs as points, the law as one line per level of the
    other axis (D for N; N for D and C). No bootstrap band: the intervals are in the table."""
    k = len(fits)
    cols = min(4, k)
    rows = (k + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.5 * rows), squeeze=False)
    for ax, (lang, fit) in zip(axes.flat, sorted(fits.items())):
        n, d, loss = _points(con, fit)
        ok = np.isfinite(n) & np.isfinite(d) & np.isfinite(loss)
        n, d, loss = n[ok], d[ok], loss[ok]
        scale = forms.UNITS[fit.settings.get("units", "raw")]
        other = d if along == "N" else n
        levels = np.unique(other)
        colours = plt.cm.viridis(np.linspace(0, 0.85, len(levels)))
        curves = []
        for level, colour in zip(levels, colours):
            sel = other == level
            if along == "N":
                x = n[sel]
                grid = np.geomspace(n.min() * 0.8, n.max() * 1.25, 80)
                nn, dd = grid, np.full_like(grid, level)
            else:
                x = d[sel] if along == "D" else 6 * n[sel] * d[sel]
                grid_d = np.geomspace(d.min() * 0.8, d.max() * 1.25, 80)
                nn, dd = np.full_like(grid_d, level), grid_d
                grid = dd if along == "D" else 6 * nn * dd
            ax.scatter(x, loss[sel], s=16, color=colour, zorder=3)
            curve = forms.predict(fit.params, nn / scale, dd / scale)
            curves.append(curve)
            ax.plot(grid, curve, color=colour, lw=1.2, label=f"{'D' if along == 'N' else 'N'} = {human(level)}")
        # the y axis spans the data, with room for the curves where they stay near it
        lo, hi = float(loss.min()), float(loss.max())
        pad = 0.15 * (hi - lo or hi * 0.1)
        ax.set_ylim(lo - pad, hi + pad)
        ax.set_xscale("log")
        ax.xaxis.set_minor_formatter(plt.NullFormatter())
        p = fit.params
        flag = "" if fit.identified else " (not identified)"
        ax.set_title(f"{lang}: E = {p['E']:.3g}, α = {p['alpha']:.2f}, β = {p['beta']:.2f}{flag}", fontsize=9)
        ax.set_xlabel(
            {"N": "non-embedding parameters N", "D": "training tokens D", "C": "training compute C = 6ND (FLOPs)"}[
                along
            ]
        )
        ax.set_ylabel("validation loss (nats/token)")
        ax.grid(alpha=0.3, which="both")
        if len(levels) <= 8:
            ax.legend(fontsize=6, loc="upper right")
    for ax in list(axes.flat)[k:]:
        ax.axis("off")
    what = {"N": "N", "D": "D", "C": "compute"}[along]
    fig.suptitle(f"Per-language law L = E + A/N^α + B/D^β against {what} (points: runs; lines: the fit)", fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _synergy_figure(plt, con, fit: StoredFit, path: Path) -> None:
    from codescale.core.domains import domain_display as display
    from codescale.laws.presets import PAPER_SYNERGY_GAIN

    langs = fit.settings["languages"]
    m = np.full((len(langs), len(langs)), np.nan)
    for i, t in enumerate(langs):
        for j, a in enumerate(langs):
            m[i, j] = fit.params.get(f"rel_gain:{t}:{a}", np.nan)
    width = 4.0 + 1.1 * len(langs)
    fig, (ax, ax_paper) = plt.subplots(1, 2, figsize=(2 * width, width * 0.8))
    lim = np.nanmax(np.abs(m)) if np.isfinite(m).any() else 1.0
    im = ax.imshow(100 * m, cmap="RdBu", vmin=-100 * lim, vmax=100 * lim)
    for i, t in enumerate(langs):
        for j, a in enumerate(langs):
            if not np.isfinite(m[i, j]):
                continue
            ci = fit.intervals.get(f"rel_gain:{t}:{a}")
            text = f"{100 * m[i, j]:+.1f}%" + (f"\n[{100 * ci[0]:+.1f}, {100 * ci[1]:+.1f}]" if ci else "")
            dark = abs(m[i, j]) > 0.6 * lim
            ax.text(j, i, text, ha="center", va="center", fontsize=8, color="white" if dark else "black")
    paper = np.full((len(langs), len(langs)), np.nan)
    for i, t in enumerate(langs):
        for j, a in enumerate(langs):
            value = PAPER_SYNERGY_GAIN.get(t, {}).get(a)
            if value is not None:
                paper[i, j] = value
    plim = np.nanmax(np.abs(paper)) if np.isfinite(paper).any() else 1.0
    ax_paper.imshow(100 * paper, cmap="RdBu", vmin=-100 * plim, vmax=100 * plim)
    for i in range(len(langs)):
        for j in range(len(langs)):
            if np.isfinite(paper[i, j]):
                ax_paper.text(
                    j,
                    i,
                    f"{'+' if paper[i, j] > 0 else '−'}\n{100 * paper[i, j]:+.1f}%",
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white" if abs(paper[i, j]) > 0.6 * plim else "black",
                )
    for axis in (ax, ax_paper):
        axis.set_xticks(range(len(langs)), [display(x) for x in langs], rotation=30)
        axis.set_yticks(range(len(langs)), [display(x) for x in langs])
        axis.set_xlabel("auxiliary language (mixed in 50:50)")
        axis.set_ylabel("target language (evaluated)")
    n_ne, tokens = _synergy_point(con, fit)
    ax.set_title(
        f"This study: gain of the 50:50 mix over self-repetition\n(N = {human(n_ne)} non-embedding, "
        f"D = {human(tokens)} tokens; 95% intervals over seeds)",
        fontsize=9,
    )
    ax_paper.set_title("Paper, Table 1 (reconstructed), same pairs:\nsign and relative gain", fontsize=9)
    fig.colorbar(im, ax=ax, label="relative gain, % (positive = mixing helps)", shrink=0.8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _synergy_point(con, fit: StoredFit) -> tuple[float, float]:
    """(non-embedding N, D) of a synergy matrix's runs (the matrix is keyed by total parameters)."""
    run_ids = fit.provenance.get("run_ids") or []
    row = con.execute(
        "SELECT median(params_non_embedding), median(tokens) FROM runs WHERE run_id IN (SELECT unnest(?::VARCHAR[]))",
        [run_ids],
    ).fetchone()
    if row is None or row[0] is None:
        return float(fit.settings.get("params", float("nan"))), float(fit.settings.get("tokens", float("nan")))
    return float(row[0]), float(row[1])


# A direction is "seen" when a paired run of the same study trained on it: the shuffled baseline is compared with
# the paired runs on the same directions (its own ``seen`` flag is false everywhere).
PAIRING_SQL = """
    WITH t AS (SELECT * FROM translation_final WHERE ({where}) AND n_languages > 1),
    seen_directions AS (SELECT DISTINCT study, direction FROM t WHERE seen)
    SELECT CASE WHEN coalesce(t.pairing_mode, 'none') = 'none' THEN 'shuffled'
                ELSE coalesce(t.pairing_template, 'direct') END AS organisation,
           CASE WHEN s.direction IS NOT NULL THEN 'seen' ELSE 'unseen' END AS directions,
           avg(t.loss) AS mean_loss, stddev_samp(t.loss) AS std_loss, count(*) AS n, count(DISTINCT t.run_id) AS runs
    FROM t LEFT JOIN seen_directions s ON s.study IS NOT DISTINCT FROM t.study AND s.direction = t.direction
    GROUP BY ALL ORDER BY directions, organisation
"""
ORGANISATIONS = ("shuffled", "direct", "prompt")


def pairing_rows(con, where: str = "true") -> list[tuple]:
    """(organisation, seen|unseen, mean loss, std, values, runs) of the final translation losses (target tokens)."""
    return con.execute(PAIRING_SQL.format(where=where)).fetchall()


def _pairing_figure(plt, rows: list[tuple], path: Path) -> None:
    fig, ax = plt.subplots(figsize=(6.5, 4))
    organisations = [o for o in ORGANISATIONS if any(r[0] == o for r in rows)]
    colours = {"shuffled": "#999999", "direct": "#3a7dc9", "prompt": "#e6a04b"}
    width = 0.8 / max(1, len(organisations))
    all_means = []
    for k, organisation in enumerate(organisations):
        for g, group in enumerate(("seen", "unseen")):
            hit = [r for r in rows if r[0] == organisation and r[1] == group]
            if not hit:
                continue
            _, _, mean, std, n, runs = hit[0]
            all_means.append(mean)
            ax.bar(
                g + (k - (len(organisations) - 1) / 2) * width,
                mean,
                width * 0.92,
                yerr=std or 0,
                color=colours.get(organisation),
                capsize=3,
                label=organisation
                if g == 0 or not any(r[0] == organisation and r[1] == "seen" for r in rows)
                else None,
            )
            ax.text(
                g + (k - (len(organisations) - 1) / 2) * width,
                0.82 * mean,
                f"{mean:.3f}",
                ha="center",
                va="bottom",
                fontsize=7,
                color="white",
            )
    ax.set_xticks([0, 1], ["seen directions\n(pivot ↔ X, paired in training)", "unseen directions\n(X ↔ Y, zero-shot)"])
    ax.set_ylabel("final translation loss, target tokens (nats)")
    if all_means:
        ax.set_ylim(0.8 * min(all_means), 1.1 * max(all_means))
    ax.set_title("Pairing: translation loss by data organisation (bars: ± std over runs × directions)", fontsize=9)
    ax.legend(fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _translation_figure(plt, con, fits: list[StoredFit], path: Path) -> bool:
    drawn = False
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    colours = plt.cm.tab10(np.linspace(0, 1, 10))
    all_n: list[float] = []
    all_loss: list[float] = []
    for colour, fit in zip(colours, fits):
        n, d, loss = _points(con, fit)
        ok = np.isfinite(n) & np.isfinite(loss)
        if not ok.any():
            continue
        # one point per run: the mean over the group's directions (what the law is fitted on)
        pts: dict[float, list[float]] = {}
        for ni, li in zip(n[ok], loss[ok]):
            pts.setdefault(float(ni), []).append(float(li))
        xs = np.array(sorted(pts))
        ys = np.array([np.mean(pts[x]) for x in xs])
        all_n += list(xs)
        all_loss += list(ys)
        ax.scatter(xs, ys, color=colour, s=18, zorder=3)
        scale = forms.UNITS[fit.settings.get("units", "raw")]
        grid = np.geomspace(xs.min() * 0.8, xs.max() * 1.25, 60)
        dd = np.full_like(grid, float(np.nanmedian(d[ok])))
        params = dict(fit.params)
        params.setdefault("B", 0.0)
        params.setdefault("beta", 1.0)
        ax.plot(
            grid,
            forms.predict(params, grid / scale, dd / scale),
            color=colour,
            lw=1.2,
            label=f"{fit.group_value}: L∞ = {fit.params['E']:.3g}, α = {fit.params['alpha']:.2f}"
            + ("" if fit.identified else " (not identified)"),
        )
        drawn = True
    if drawn:
        lo, hi = min(all_loss), max(all_loss)
        pad = 0.2 * (hi - lo or hi * 0.1)
        ax.set_ylim(lo - pad, hi + pad)
        ax.set_xscale("log")
        ax.xaxis.set_minor_formatter(plt.NullFormatter())  # minor labels collide below a decade
        ax.set_xlabel("non-embedding parameters N")
        ax.set_ylabel("mean translation loss (nats)")
        ax.set_title("Translation laws per setting (pairing mode / seen or unseen directions)", fontsize=9)
        ax.legend(fontsize=7)
        ax.grid(alpha=0.3, which="both")
        fig.tight_layout()
        fig.savefig(path, dpi=110)
    plt.close(fig)
    return drawn


def _comparison_figure(plt, comp: StoredFit, path: Path) -> None:
    ranking = list(comp.settings.get("ranking", []))
    mean = [100 * comp.params.get(f"{law}.mean_rel", np.nan) for law in ranking]
    worst = [100 * comp.params.get(f"{law}.max_rel", np.nan) for law in ranking]
    fig, ax = plt.subplots(figsize=(6.5, 0.6 * len(ranking) + 1.6))
    y = np.arange(len(ranking))
    ax.barh(y - 0.2, mean, 0.4, label="mean relative error", color="#3a7dc9")
    ax.barh(y + 0.2, worst, 0.4, label="max relative error", color="#bbbbbb")
    for yi, m_ in zip(y, mean):
        ax.text(m_, yi - 0.2, f" {m_:.2f}%", va="center", fontsize=7)
    ax.set_yticks(y, [f"{law}{' (Eqs. 6-7)' if law == 'paper' else ''}" for law in ranking])
    ax.invert_yaxis()
    ax.set_xlabel("held-out error relative to the observed loss (%)")
    ax.set_title(f"Mixture laws on held-out runs ({comp.settings.get('scheme')})", fontsize=9)
    ax.legend(fontsize=7)
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def allocation_checks(con) -> list[dict]:
    """The rows of the view ``allocation_check`` as dicts (newest allocation first); none on an older store."""
    try:
        cur = con.execute(
            "SELECT c.*, a.created FROM allocation_check c JOIN allocations a USING (allocation_id) "
            "ORDER BY a.created DESC, c.params_non_embedding, c.tokens"
        )
    except duckdb.Error:
        return []
    names = [c[0] for c in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def _loop_figure(plt, con, checks: list[dict], path: Path) -> None:
    check = checks[0]
    shares = con.execute(
        "SELECT domain, share FROM allocation_domains WHERE allocation_id = ? AND share IS NOT NULL ORDER BY domain",
        [check["allocation_id"]],
    ).fetchall()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.8), gridspec_kw={"width_ratios": [1.3, 1]})
    x = np.arange(len(shares))
    ax1.bar(x - 0.2, [100 / len(shares)] * len(shares), 0.4, label="uniform", color="#bbbbbb")
    ax1.bar(x + 0.2, [100 * s for _, s in shares], 0.4, label="law-guided allocation", color="#3a7dc9")
    ax1.set_xticks(x, [d for d, _ in shares])
    ax1.set_ylabel("share of training tokens (%)")
    ax1.set_title(f"Allocation at N = {human(check['params_non_embedding'])}, D = {human(check['tokens'])}", fontsize=9)
    ax1.legend(fontsize=7)
    ax1.grid(axis="y", alpha=0.3)
    labels, values, lows, highs, colours = [], [], [], [], []
    for name, key, lo, hi, colour in (
        ("predicted", "predicted_gain", "predicted_low", "predicted_high", "#e6a04b"),
        ("realised", "realised_gain", "realised_low", "realised_high", "#3a7dc9"),
    ):
        v = check[key]
        labels.append(
            f"{name}\n({check['n_allocated']} + {check['n_uniform']} runs)"
            if name == "realised"
            else f"{name}\n(the law's bootstrap)"
        )
        values.append(v if v is not None else np.nan)
        lows.append(check[lo] if check[lo] is not None else np.nan)
        highs.append(check[hi] if check[hi] is not None else np.nan)
        colours.append(colour)
    values_a = np.array(values, dtype=float)
    err = np.array([values_a - np.array(lows, dtype=float), np.array(highs, dtype=float) - values_a])
    err = np.where(np.isfinite(err), err, 0.0)
    ax2.bar([0, 1], values_a, 0.6, yerr=err, capsize=5, color=colours)
    ax2.axhline(0, color="black", lw=0.8)
    for i, v in enumerate(values_a):
        ax2.text(i, v, f"{v:+.4f}", ha="center", va="bottom" if v >= 0 else "top", fontsize=8)
    ax2.set_xticks([0, 1], labels, fontsize=8)
    ax2.set_ylabel("gain over uniform (nats, weighted mean loss)")
    ax2.set_title("Predicted vs realised gain (95% intervals)", fontsize=9)
    ax2.grid(axis="y", alpha=0.3)
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
        rows = con.execute(
            "SELECT language, valid_loss, pass_at_k, suite FROM pass_vs_loss "
            "WHERE k = 1 AND valid_loss IS NOT NULL ORDER BY language"
        ).fetchall()
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
    for ax in list(axes.flat)[len(languages) :]:
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


def write_report(
    con: duckdb.DuckDBPyConnection, out: Path, batch: str | None = None, extra: list[str] | None = None
) -> Path:
    """Write the figures, ``summary.md`` and ``report.html`` into ``out``; returns the summary's path.

    ``extra``: Markdown lines appended as they are (the demo adds its reference check)."""
    from codescale.laws.directions import directions, directions_markdown
    from codescale.laws.fitstore import ensure_tables

    ensure_tables(con)
    plt = _plt()
    out.mkdir(parents=True, exist_ok=True)
    body: list[str] = []
    language_fits = _language_fits(con, batch)
    if language_fits:
        _law_figure(plt, con, language_fits, out / "loss_vs_n.png", "N")
        _law_figure(plt, con, language_fits, out / "loss_vs_d.png", "D")
        _law_figure(plt, con, language_fits, out / "loss_vs_compute.png", "C")
        units = {f.settings.get("units") for f in language_fits.values()}
        ranked = sorted(language_fits.items(), key=lambda kv: kv[1].params.get("E", np.inf))
        body += ["## Per-language laws", "",
                 f"L = E + A/N^α + B/D^β, N = non-embedding parameters, units: {', '.join(sorted(map(str, units)))}; "
                 "Huber (δ = 1e-3) on log loss, full grid + L-BFGS-B; 95% bootstrap intervals over runs.", "",
                 "Languages by irreducible loss L∞ = E: " + " < ".join(
                     f"{lang} {fit.params.get('E', float('nan')):.3g}" for lang, fit in ranked) + ".", ""]  # fmt: skip
        body += fits_markdown(language_fits.values())
        body += [
            "",
            "![loss vs N](loss_vs_n.png)",
            "",
            "![loss vs D](loss_vs_d.png)",
            "",
            "![loss vs compute](loss_vs_compute.png)",
            "",
        ]
    else:
        body += ["No per-language fits yet: run `codescale fit chinchilla`.", ""]
    synergy_id = latest_fit(con, "synergy")
    synergy = load_fit(con, synergy_id) if synergy_id else None
    if synergy is not None:
        _synergy_figure(plt, con, synergy, out / "synergy.png")
        body += ["## Synergy (paper Table 1 definition)", "", f"`{synergy_id}`, {synergy.group_value}: relative gain "
                 "of the 50:50 mixture over the self-repetition baseline (positive = mixing helps), ± one standard "
                 "error over seeds; the heatmap gives the 95% Welch intervals.", "", "```", synergy_table(synergy), "```", "", "![synergy](synergy.png)", ""]  # fmt: skip
    pairing = pairing_rows(con)
    if pairing:
        _pairing_figure(plt, pairing, out / "pairing.png")
        body += ["## Pairing effect", "", "Mean final translation loss on the target tokens of held-out parallel "
                 "programs, per data organisation and direction group (seen: paired in training).", "",
                 "| organisation | directions | mean loss | std | run × direction values | runs |",
                 "|---|---|---|---|---|---|"]  # fmt: skip
        body += [
            f"| {o} | {g} | {m:.4f} | {0 if sd is None else sd:.4f} | {n} | {r} |" for o, g, m, sd, n, r in pairing
        ]
        body += ["", "![pairing](pairing.png)", ""]
    translation = _newest_translation(con)
    if translation:
        body += ["## Translation laws", "", "L = A·N^−α + B·D^−β + L∞ (L∞ = E), N and D in the fit's units; one law "
                 "per setting (pairing mode / seen or unseen), on each run's mean loss over the setting's directions.",
                 ""]  # fmt: skip
        body += fits_markdown(translation)
        body.append("")
        if _translation_figure(plt, con, translation, out / "translation_laws.png"):
            body += ["![translation laws](translation_laws.png)", ""]
    comparison_id = latest_fit(con, "mixture_comparison")
    comparison = load_fit(con, comparison_id) if comparison_id else None
    if comparison is not None:
        comp = comparison
        body += ["## Mixture laws compared", "", f"{comp.settings['scheme']}; errors relative to the observed loss "
                 f"(unit-free); winner: **{comp.settings['winner']}**.", "",
                 "| rank | law | MAE | mean rel. error | max rel. error | Spearman |", "|---|---|---|---|---|---|"]  # fmt: skip
        for i, law in enumerate(comp.settings.get("ranking", [])):
            g = comp.params.get
            body.append(f"| {i + 1} | {law} | {g(f'{law}.mae', float('nan')):.4g} | {100 * g(f'{law}.mean_rel', float('nan')):.2f}% "
                        f"| {100 * g(f'{law}.max_rel', float('nan')):.2f}% | {g(f'{law}.spearman', float('nan')):.4f} |")  # fmt: skip
        for law, reason in (comp.settings.get("skipped") or {}).items():
            body.append(f"| – | {law} | not fitted: {reason} | | | |")
        body.append("")
        if comp.settings.get("ranking"):
            _comparison_figure(plt, comp, out / "mixture_laws.png")
            body += ["![mixture laws](mixture_laws.png)", ""]
    checks = allocation_checks(con)
    if checks:
        _loop_figure(plt, con, checks, out / "allocation_check.png")
        body += ["## Closing the loop: allocation vs uniform, trained", "",
                 "Per allocation tested (`SELECT * FROM allocation_check`): the gain over the uniform mixture the law "
                 "predicted (interval over its bootstrap draws) and the gain realised by training both at the same N "
                 "and D (weighted mean final loss, Welch 95% interval over seeds).", "",
                 "| allocation | law | N | D | predicted gain | realised gain | runs (alloc + uniform) |",
                 "|---|---|---|---|---|---|---|"]  # fmt: skip
        for c in checks:
            pred = f"{c['predicted_gain']:+.4f}" + (f" [{c['predicted_low']:+.4f}, {c['predicted_high']:+.4f}]"
                                                    if c["predicted_low"] is not None else "")  # fmt: skip
            real = f"{c['realised_gain']:+.4f}" + (f" [{c['realised_low']:+.4f}, {c['realised_high']:+.4f}]"
                                                   if c["realised_low"] is not None else "")  # fmt: skip
            body.append(
                f"| `{c['allocation_id']}` | {c['law']} | {human(c['params_non_embedding'])} | "
                f"{human(c['tokens'])} | {pred} | {real} | {c['n_allocated']} + {c['n_uniform']} |"
            )
        body += ["", "![allocation check](allocation_check.png)", ""]
    mixture_id = latest_fit(con, "mixture")
    if mixture_id:
        fit = load_fit(con, mixture_id)
        counts = fit.settings.get("bootstrap_converged") or {}
        body += ["## Newest mixture law", "", f"`{mixture_id}`: law **{fit.form}** over {fit.n_runs} runs; converged: "
                 f"{fit.converged}; identified: {identified_markdown(fit)}."
                 + (f" Bootstrap: {fit.settings.get('options', {}).get('bootstrap')} replicates, converged per unit "
                    f"{min(counts.values())}–{max(counts.values())} (intervals from those only)." if counts and
                    all(v is not None for v in counts.values()) else ""), ""]  # fmt: skip
        for w in fit.warnings[:10]:
            body.append(f"- warning: {w}")
        body.append("")
        try:
            result = _allocation_figure(plt, con, mixture_id, out / "allocation.png")
            body += ["## Allocation", "", "```", result.render(), "```", "", "![allocation](allocation.png)", ""]
        except CodescaleError as err:
            body += ["## Allocation", "", f"Not computed: {err.message}", ""]
    validations = [load_fit(con, r[0]) for r in con.execute(
        "SELECT fit_id FROM fits WHERE kind = 'validation' ORDER BY created DESC LIMIT 20").fetchall()]  # fmt: skip
    if validations:
        body += ["## Validation (held-out runs)", "",
                 "| validation | of fit | law | scheme | MAE | mean rel. | max rel. |", "|---|---|---|---|---|---|---|"]  # fmt: skip
        for v in validations:
            body.append(f"| `{v.fit_id}` | `{v.settings['validated_fit']}` | {v.settings.get('law', v.form)} | "
                        f"{v.settings['scheme']} | {v.params['mae']:.4g} | {100 * v.params['mean_rel']:.2f}% | "
                        f"{100 * v.params['max_rel']:.2f}% |")  # fmt: skip
        body.append("")
        rows = con.execute("SELECT validation_id, domain, n_heldout, mae, mean_rel_err, max_rel_err, spearman "
                           "FROM validations WHERE validation_id = ? ORDER BY domain NULLS LAST",
                           [validations[0].fit_id]).fetchall()  # fmt: skip
        if rows:
            body += [f"Per domain, `{validations[0].fit_id}`:", "", "| domain | held out | MAE | mean rel. | max rel. | "
                     "Spearman |", "|---|---|---|---|---|---|"]  # fmt: skip
            for _, domain, n, mae, mean_rel, max_rel, rho in rows:
                body.append(f"| {domain or '(overall)'} | {n} | {mae:.4g} | {100 * mean_rel:.2f}% | {100 * max_rel:.2f}% | "
                            f"{'nan' if rho is None else f'{rho:.4f}'} |")  # fmt: skip
            body.append("")
    shown = [f.saved_id for f in [*language_fits.values(), *translation, *validations]]
    shown += [mixture_id] if mixture_id else []
    if _prediction_figure(plt, con, out / "predicted_vs_actual.png", shown):
        body += ["## Predicted vs actual", "", "![predicted vs actual](predicted_vs_actual.png)", ""]
    body += _generation_section(con)
    body += _pass_rate_section(plt, con, out)
    body += list(extra or [])
    found = directions(con, language_fits, synergy, pairing, translation, comparison, checks)
    md = [
        "# codescale report",
        "",
        "## The paper's directions in this study",
        "",
        "Each row is computed from the fits and views below (rules: `codescale.laws.directions`).",
        "",
    ]
    md += directions_markdown(found) + [""] + body
    path = out / "summary.md"
    atomic_write_text(path, "\n".join(md) + "\n")
    atomic_write_text(out / "report.html", render_html(md, out))
    return path


def _newest_translation(con) -> list[StoredFit]:
    return [load_fit(con, r[0]) for r in con.execute(
        "SELECT fit_id FROM fits WHERE kind = 'translation' AND json_extract_string(provenance, '$.batch') = "
        "(SELECT json_extract_string(provenance, '$.batch') FROM fits WHERE kind = 'translation' "
        "ORDER BY created DESC LIMIT 1) ORDER BY group_value").fetchall()]  # fmt: skip


def report_directions(con: duckdb.DuckDBPyConnection, batch: str | None = None) -> list:
    """The directions table of the report (:func:`codescale.laws.directions.directions`) on the same fits."""
    from codescale.laws.directions import directions
    from codescale.laws.fitstore import ensure_tables

    ensure_tables(con)
    synergy_id = latest_fit(con, "synergy")
    comparison_id = latest_fit(con, "mixture_comparison")
    return directions(
        con,
        _language_fits(con, batch),
        load_fit(con, synergy_id) if synergy_id else None,
        pairing_rows(con),
        _newest_translation(con),
        load_fit(con, comparison_id) if comparison_id else None,
        allocation_checks(con),
    )


def _generation_section(con) -> list[str]:
    """pass@1 of every evaluated checkpoint (newest evaluation per run, step and language)."""
    try:
        rows = con.execute("""
            SELECT g.run_id, g.step, g.language, g.value, g.tasks, g.isolation, r.params_non_embedding, r.tokens
            FROM generation_evals g LEFT JOIN runs r USING (run_id)
            WHERE g.metric = 'pass@k' AND g.k = 1 AND g.direction IS NULL
            QUALIFY row_number() OVER (PARTITION BY g.run_id, g.step, g.language ORDER BY g.evaluated_at DESC) = 1
            ORDER BY g.language, r.params_non_embedding, g.run_id
        """).fetchall()
    except duckdb.Error:
        return []
    if not rows:
        return []
    md = [
        "## Generation: pass@1",
        "",
        "| run | step | language | N | D | pass@1 | tasks | sandbox |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for run_id, step, lang, value, tasks, isolation, n, d in rows:
        md.append(
            f"| `{run_id}` | {step} | {lang} | {human(n) if n else '–'} | {human(d) if d else '–'} | "
            f"{value:.3f} | {tasks} | {isolation} |"
        )
    if all(not r[3] for r in rows):
        md += [
            "",
            "Every pass@1 is 0: models of this size and training budget do not write passing programs (the "
            "paper's smallest model has 0.2B parameters). The number shows the path end to end.",
        ]
    return md + [""]


_HTML_STYLE = """body{font-family:system-ui,sans-serif;max-width:1150px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
table{border-collapse:collapse;margin:1em 0;font-size:0.85em}td,th{border:1px solid #ccc;padding:3px 7px;vertical-align:top}
th{background:#f2f2f2}pre{background:#f6f6f6;padding:0.8em;overflow-x:auto;font-size:0.8em}img{max-width:100%}
code{background:#f2f2f2;padding:0 3px}h2{border-bottom:1px solid #ddd;padding-bottom:0.2em;margin-top:1.6em}"""


def _inline(text: str) -> str:
    import html
    import re

    text = html.escape(text, quote=False)
    text = re.sub(r"`([^`]+)`", r"<code>\1</code>", text)
    return re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", text)


def render_html(md: list[str], folder: Path, title: str = "codescale report") -> str:
    """The Markdown subset ``write_report`` writes as one HTML page; images in ``folder`` embedded as base64."""
    import base64
    import html
    import re

    body: list[str] = []
    i = 0
    while i < len(md):
        line = md[i]
        if line.startswith("```"):
            j = i + 1
            while j < len(md) and not md[j].startswith("```"):
                j += 1
            body.append("<pre>" + html.escape("\n".join(md[i + 1 : j])) + "</pre>")
            i = j + 1
            continue
        if line.startswith("|"):
            rows = []
            while i < len(md) and md[i].startswith("|"):
                rows.append(md[i])
                i += 1
            cells = [[c.strip() for c in r.strip().strip("|").split("|")] for r in rows]
            head, rest = cells[0], [r for r in cells[1:] if not all(set(c) <= set("-: ") for c in r)]
            body.append(
                "<table><tr>"
                + "".join(f"<th>{_inline(c)}</th>" for c in head)
                + "</tr>"
                + "".join("<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in r) + "</tr>" for r in rest)
                + "</table>"
            )
            continue
        image = re.fullmatch(r"!\[([^\]]*)\]\(([^)]+)\)", line.strip())
        if image:
            path = folder / image.group(2)
            if path.is_file():
                data = base64.b64encode(path.read_bytes()).decode()
                body.append(f'<p><img alt="{html.escape(image.group(1))}" src="data:image/png;base64,{data}"></p>')
        elif line.startswith("## "):
            body.append(f"<h2>{_inline(line[3:])}</h2>")
        elif line.startswith("# "):
            body.append(f"<h1>{_inline(line[2:])}</h1>")
        elif line.startswith("- "):
            items = []
            while i < len(md) and md[i].startswith("- "):
                items.append(f"<li>{_inline(md[i][2:])}</li>")
                i += 1
            body.append("<ul>" + "".join(items) + "</ul>")
            continue
        elif line.strip():
            body.append(f"<p>{_inline(line)}</p>")
        i += 1
    return (
        f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"<style>{_HTML_STYLE}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n"
    )
