"""The paper's qualitative findings, checked against what a results store holds.

Each :class:`Direction` is one claim of the paper (docs/paper.md) with a verdict computed from the store's fits and
views -- ``reproduced``, ``not reproduced`` or ``not testable at this scale`` -- and the evidence, in numbers. Nothing
here is written by hand per study: a store without the runs a claim needs says so (``not testable``), and the rules
are the ones below, the same for a CPU demo and a cluster study.

Rules (a claim is tested on the newest fits of each kind; intervals are 95%):

- per-language law: every language's fit converged, is identified (no ``unidentified`` reason) and has E > 0 with a
  finite interval; languages are listed by L∞ = E;
- data helps more than parameters (the paper's Fig. 2 has β > α for every language): β > α for every language;
- L∞ ordering: the order of E over the languages the study shares with the paper's Fig. 2 equals the paper's; not
  testable when a law is not identified or when the E intervals of two neighbours in the order overlap (the data do
  not resolve the order, whichever way the point estimates fall);
- synergy (Table 1: mixing helps for most pairs): more than half of the (target, auxiliary) cells have a positive
  relative gain; the evidence counts the cells whose interval excludes zero, and the cells whose sign agrees with
  Table 1;
- pairing, unseen directions (Fig. 3): the mean final translation loss on unseen directions of parallel-paired runs
  (any template) is lower than that of shuffled runs; pairing, seen directions: the same on seen directions;
- translation laws (Eqs. 3-5): pairing lowers L∞ of the unseen directions' law below the shuffled one's;
- the paper's proportion-dependent law (Eqs. 6-7) predicts held-out mixtures: its held-out mean relative error in the
  newest comparison is below :data:`MIXTURE_TOLERANCE`;
- the law-guided allocation beats uniform (§6): testable when the law predicts a gain whose interval lies above zero
  (otherwise the allocation is uniform within the law's own uncertainty); then the realised gain of the newest
  allocation tested (``allocation_check``) must be positive with an interval above zero (positive but covering zero:
  not reproduced, within noise);
- pass@1 (Table 3): not testable while every evaluated checkpoint passes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np

from codescale.laws.fitstore import StoredFit

REPRODUCED = "reproduced"
NOT_REPRODUCED = "not reproduced"
NOT_TESTABLE = "not testable at this scale"
MIXTURE_TOLERANCE = 0.05
"""Held-out mean relative error under which the paper's mixture law counts as predicting held-out mixtures."""


@dataclass
class Direction:
    claim: str
    paper: str
    verdict: str
    evidence: str


def _per_language(fits: dict[str, StoredFit]) -> list[Direction]:
    from codescale.laws.presets import PAPER_PER_LANGUAGE

    paper_law = "Eq. 1, Fig. 2"
    if not fits:
        return [
            Direction(
                "each language follows L = E + A/N^α + B/D^β with E > 0",
                paper_law,
                NOT_TESTABLE,
                "no per-language fits",
            )
        ]
    problems = []
    for lang, fit in sorted(fits.items()):
        ci = fit.intervals.get("E")
        if not fit.converged:
            problems.append(f"{lang}: not converged")
        elif not fit.identified:
            problems.append(f"{lang}: unidentified ({'; '.join(fit.unidentified[:2])})")
        elif not fit.params.get("E", 0) > 0:
            problems.append(f"{lang}: E = {fit.params.get('E', float('nan')):.3g}")
        elif ci is None or not all(x is not None and np.isfinite(x) for x in ci):
            problems.append(f"{lang}: no finite interval for E")
    ranked = sorted(fits.items(), key=lambda kv: kv[1].params.get("E", np.inf))
    ranking = " < ".join(f"{lang} {fit.params.get('E', float('nan')):.3g}" for lang, fit in ranked)
    out = [
        Direction(
            "each language follows L = E + A/N^α + B/D^β, identified, with E > 0",
            paper_law,
            NOT_REPRODUCED if problems else REPRODUCED,
            "; ".join(problems) if problems else f"{len(fits)} languages identified; L∞: {ranking}",
        )
    ]
    faster = {lang: (fit.params.get("alpha", np.nan), fit.params.get("beta", np.nan)) for lang, fit in fits.items()}
    data_first = [lang for lang, (a, b) in faster.items() if b > a]
    out.append(
        Direction(
            "scaling data helps more than scaling parameters (β > α)",
            "§3, Fig. 2",
            REPRODUCED if len(data_first) == len(faster) else NOT_REPRODUCED,
            ", ".join(f"{lang} α {a:.2f} β {b:.2f}" for lang, (a, b) in sorted(faster.items())),
        )
    )
    shared = [lang for lang in fits if lang in PAPER_PER_LANGUAGE]
    if len(shared) < 2:
        out.append(
            Direction(
                "languages order by irreducible loss as in Fig. 2",
                "Fig. 2",
                NOT_TESTABLE,
                "fewer than two languages shared with the paper",
            )
        )
    else:
        ours = sorted(shared, key=lambda x: fits[x].params.get("E", np.inf))
        theirs = sorted(shared, key=lambda x: PAPER_PER_LANGUAGE[x][2])
        evidence = (f"this study {' < '.join(ours)}; paper {' < '.join(theirs)} (synthetic corpus: its languages "
                    "differ from real code in what is predictable)")  # fmt: skip
        unresolved = _overlapping_e(ours, fits)
        if problems:
            verdict, evidence = NOT_TESTABLE, evidence + "; not every law is identified"
        elif unresolved:
            verdict = NOT_TESTABLE
            evidence += (
                "; the E intervals overlap (" + ", ".join(unresolved) + "), so the data do not resolve the order"
            )
        else:
            verdict = REPRODUCED if ours == theirs else NOT_REPRODUCED
        out.append(Direction("languages order by irreducible loss as in Fig. 2", "Fig. 2", verdict, evidence))
    return out


def _overlapping_e(ordered: list[str], fits: dict[str, StoredFit]) -> list[str]:
    """Neighbours in ``ordered`` (sorted by E) whose E intervals overlap, as "a [lo, hi] vs b [lo, hi]" strings; a
    language without an interval counts as overlapping its neighbours."""
    out = []
    for low, high in zip(ordered, ordered[1:], strict=False):
        a, b = fits[low].intervals.get("E"), fits[high].intervals.get("E")
        if a is None or b is None or a[1] >= b[0]:
            shown = [f"[{ci[0]:.2g}, {ci[1]:.2g}]" if ci else "no interval" for ci in (a, b)]
            out.append(f"{low} {shown[0]} vs {high} {shown[1]}")
    return out


def _synergy(fit: StoredFit | None) -> Direction:
    from codescale.laws.presets import PAPER_SYNERGY_GAIN

    claim = "mixing two languages helps most pairs (synergy > 0 against self-repetition)"
    if fit is None:
        return Direction(claim, "§4, Table 1", NOT_TESTABLE, "no synergy matrix (no 50:50 mixes with self baselines)")
    cells = {k.split(":", 1)[1]: v for k, v in fit.params.items() if k.startswith("rel_gain:")}
    if not cells:
        return Direction(claim, "§4, Table 1", NOT_TESTABLE, "the synergy matrix has no cells")
    positive = [k for k, v in cells.items() if v > 0]
    sure = [k for k in positive if (ci := fit.intervals.get(f"rel_gain:{k}")) and ci[0] > 0]
    with_ci = [k for k in cells if fit.intervals.get(f"rel_gain:{k}")]
    agree = [k for k, v in cells.items()
             if (p := PAPER_SYNERGY_GAIN.get(k.split(":")[0], {}).get(k.split(":")[1])) is not None
             and np.sign(p) == np.sign(v)]  # fmt: skip
    gains = sorted(100 * v for v in cells.values())
    evidence = (
        f"{len(positive)} of {len(cells)} cells positive ({gains[0]:+.1f}% to {gains[-1]:+.1f}%); "
        f"{len(sure)} of {len(with_ci)} with an interval above zero; sign agrees with Table 1 in "
        f"{len(agree)} of {len(cells)}"
    )
    return Direction(claim, "§4, Table 1", REPRODUCED if 2 * len(positive) > len(cells) else NOT_REPRODUCED, evidence)


def _pairing(rows: list[tuple]) -> list[Direction]:
    out = []
    for group, paper in (("unseen", "§5, Fig. 3"), ("seen", "§5")):
        claim = f"parallel pairing lowers translation loss on {group} directions against shuffled data"
        base = [r for r in rows if r[1] == group and r[0] == "shuffled"]
        paired = [r for r in rows if r[1] == group and r[0] != "shuffled"]
        if not base or not paired:
            out.append(
                Direction(claim, paper, NOT_TESTABLE, f"no shuffled and paired runs evaluated on {group} directions")
            )
            continue
        shuffled = base[0][2]
        detail = ", ".join(f"{r[0]} {r[2]:.3f}" for r in paired)
        best = min(r[2] for r in paired)
        mean_paired = float(np.mean([r[2] for r in paired]))
        out.append(
            Direction(
                claim,
                paper,
                REPRODUCED if mean_paired < shuffled else NOT_REPRODUCED,
                f"shuffled {shuffled:.3f}; {detail} (best {100 * (best - shuffled) / shuffled:+.1f}%)",
            )
        )
    return out


def _translation_laws(fits: list[StoredFit]) -> Direction:
    claim = "translation laws: pairing lowers the unseen directions' irreducible loss L∞"
    by = {f.group_value: f for f in fits}
    base = by.get("none/unseen")
    paired = by.get("parallel/unseen")
    if base is None or paired is None:
        return Direction(
            claim,
            "§5, Eqs. 3-5",
            NOT_TESTABLE,
            "no translation laws for both shuffled and paired runs (needs several sizes per setting)",
        )
    e0, e1 = base.params.get("E", np.nan), paired.params.get("E", np.nan)
    note = "" if base.identified and paired.identified else " (a law is not identified)"
    return Direction(
        claim,
        "§5, Eqs. 3-5",
        REPRODUCED if e1 < e0 and not note else NOT_REPRODUCED,
        f"L∞ shuffled {e0:.3g}, paired {e1:.3g}{note}",
    )


def _mixture(comp: StoredFit | None) -> Direction:
    claim = (
        f"the paper's proportion-dependent law predicts held-out mixtures (mean relative error < "
        f"{100 * MIXTURE_TOLERANCE:.0f}%)"
    )
    if comp is None:
        return Direction(claim, "Eqs. 6-7", NOT_TESTABLE, "no mixture-law comparison")
    ranking = list(comp.settings.get("ranking", []))
    if "paper" not in ranking:
        reason = (comp.settings.get("skipped") or {}).get("paper", "not fitted")
        return Direction(claim, "Eqs. 6-7", NOT_TESTABLE, f"the paper's law was not ranked: {reason}")
    err = comp.params.get("paper.mean_rel", np.nan)
    return Direction(
        claim,
        "Eqs. 6-7",
        REPRODUCED if err < MIXTURE_TOLERANCE else NOT_REPRODUCED,
        f"paper's law {100 * err:.2f}% mean relative error, rank {ranking.index('paper') + 1} of "
        f"{len(ranking)} ({comp.settings.get('scheme')}; winner {comp.settings.get('winner')})",
    )


def _allocation(checks: list[dict]) -> Direction:
    claim = "a law-guided allocation beats the uniform mixture at the same N and D"
    if not checks:
        return Direction(claim, "§6", NOT_TESTABLE, "no allocation trained against uniform (view allocation_check)")
    c = checks[0]
    gain, lo, hi = c["realised_gain"], c["realised_low"], c["realised_high"]
    interval = f" [{lo:+.4f}, {hi:+.4f}]" if lo is not None and hi is not None else " (no interval: one run a side)"
    predicted = (f"predicted {c['predicted_gain']:+.4f}" + (f" [{c['predicted_low']:+.4f}, {c['predicted_high']:+.4f}]"
                 if c["predicted_low"] is not None else ""))  # fmt: skip
    agrees = lo is not None and hi is not None and lo <= c["predicted_gain"] <= hi
    evidence = f"realised {gain:+.4f} nats{interval} over {c['n_allocated']} + {c['n_uniform']} runs; {predicted}" + (
        "; the realised interval covers the prediction" if agrees else ""
    )
    if c["predicted_low"] is not None and c["predicted_low"] <= 0:
        return Direction(
            claim,
            "§6",
            NOT_TESTABLE,
            f"the law predicts no gain distinguishable from zero here (the allocation is close to uniform): {evidence}",
        )
    if gain > 0 and lo is not None and lo > 0:
        verdict = REPRODUCED
    elif gain > 0:
        verdict = NOT_REPRODUCED + " (positive, within noise)"
    else:
        verdict = NOT_REPRODUCED
    return Direction(claim, "§6", verdict, evidence)


def _pass_rate(con) -> Direction:
    claim = "pass@1 improves with the loss (and with pairing)"
    try:
        row = con.execute(
            "SELECT count(*), max(value) FROM generation_evals WHERE metric = 'pass@k' AND k = 1"
        ).fetchone()
    except duckdb.Error:
        row = None
    if row is None or not row[0]:
        return Direction(claim, "Table 3", NOT_TESTABLE, "no generation evaluations")
    if not row[1]:
        return Direction(
            claim,
            "Table 3",
            NOT_TESTABLE,
            f"{row[0]} evaluation(s), every pass@1 is 0: models this small write no passing program",
        )
    return Direction(
        claim,
        "Table 3",
        NOT_TESTABLE if row[0] < 3 else REPRODUCED,
        f"{row[0]} evaluation(s), best pass@1 {row[1]:.3f} (`codescale fit pass-rate` for the curve)",
    )


def directions(
    con,
    language_fits: dict[str, StoredFit],
    synergy: StoredFit | None,
    pairing: list[tuple],
    translation: list[StoredFit],
    comparison: StoredFit | None,
    checks: list[dict],
) -> list[Direction]:
    """Every direction, in the paper's order."""
    return [
        *_per_language(language_fits),
        _synergy(synergy),
        *_pairing(pairing),
        _translation_laws(translation),
        _mixture(comparison),
        _allocation(checks),
        _pass_rate(con),
    ]


def directions_markdown(rows: list[Direction]) -> list[str]:
    lines = ["| paper's finding | where | this study | evidence |", "|---|---|---|---|"]
    for d in rows:
        verdict = f"**{d.verdict}**" if d.verdict == REPRODUCED else d.verdict
        lines.append(f"| {d.claim} | {d.paper} | {verdict} | {d.evidence} |")
    return lines
