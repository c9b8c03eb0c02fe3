"""The analysis stage of ``codescale demo``: fits, allocation and the report, on the demo's DuckDB file.

Torch-free: it calls the same ``codescale.laws`` functions ``codescale fit``, ``allocate`` and ``report`` call:

1. per-language law L = E + A/N^alpha + B/D^beta for every language of the per-language grid (``demo_per_language``
   study), full 4,500-start grid and a bootstrap over runs for intervals;
2. the synergy matrix from the bilingual 50:50 runs and their self-repetition baselines;
3. the pairing effect: mean final translation loss per data organisation (shuffled, direct, prompt), on directions
   seen in training and unseen ones (from the ``translation_final`` view);
4. (in :func:`finish`) the proportion-dependent mixture laws (the paper's Eqs. 6-7, our alternatives and Ye et
   al.'s exponential law, compared on the same held-out folds, by relative error) over every shuffled mixture of
   fresh data, at every (N, D) the demo trained such mixtures at (the synergy study's mixes repeat their data);
5. an allocation of a token budget across the grid's languages under the per-language laws (at the grid's middle
   size and middle budget, each language at least 10%), written back as a spec that ``codescale compile`` accepts;
   the demo then trains it and the uniform mixture (:func:`codescale.demo.study.loop_specs`);
6. (:func:`finish`, after the closing-the-loop runs are ingested) the mixture-law comparison of step 4, which
   then includes those runs; the allocation recorded in the store, so that the view ``allocation_check`` sets its
   predicted gain beside the realised one; and the report (Markdown + PNG + one self-contained HTML page).

A stage that cannot run on the data at hand (say, too few runs for a law) is reported in the summary with its
reason instead of stopping the demo: the earlier stages' results are still worth showing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from codescale.core.errors import CodescaleError

PER_LANGUAGE_STUDY = "demo_per_language"
BOOTSTRAP = 100
MIN_SHARE = 0.1


def _fit_languages(con, out: dict[str, Any]) -> str | None:
    from codescale.laws.fit import FitSettings
    from codescale.laws.fitstore import new_batch_id
    from codescale.laws.perlanguage import MONOLINGUAL, fit_language_laws

    batch = new_batch_id()
    settings = FitSettings(bootstrap=BOOTSTRAP, grid="full")
    settings.validate()
    fits = fit_language_laws(con, settings, where=f"{MONOLINGUAL} AND study = '{PER_LANGUAGE_STUDY}'", batch=batch)
    out["language_fits"] = fits
    out["language_batch"] = batch
    return batch


def _fit_synergy(con, out: dict[str, Any]) -> str | None:
    from codescale.laws.fitstore import new_batch_id
    from codescale.laws.synergy import fit_synergy

    fits = fit_synergy(con, "study = 'demo_synergy'", 0.95, batch=new_batch_id())
    out["synergy_fits"] = fits
    return fits[0].fit_id if fits else None


def _pairing_effect(con, out: dict[str, Any]) -> None:
    from codescale.laws.report import pairing_rows

    out["pairing"] = pairing_rows(con, "study = 'demo_pairing'")


def _fit_translation(con, out: dict[str, Any]) -> None:
    """Translation laws per setting (pairing mode / seen or unseen) when the pairing study has several sizes."""
    from codescale.laws.fit import FitSettings
    from codescale.laws.fitstore import new_batch_id
    from codescale.laws.translation import fit_translation_laws

    where = "study = 'demo_pairing'"
    (sizes,) = con.execute(f"SELECT count(DISTINCT params_non_embedding) FROM runs WHERE {where}").fetchone()
    if sizes < 3:
        out["translation_note"] = f"the pairing study has {sizes} size(s): translation laws need 3"
        return
    settings = FitSettings(units="billions", bootstrap=BOOTSTRAP, grid="full")
    settings.validate()
    out["translation_fits"] = fit_translation_laws(con, where, by="setting", settings=settings, batch=new_batch_id())


def _multilingual(con, out: dict[str, Any], batch: str | None, synergy_id: str | None) -> None:
    from codescale.laws.compare import compare_laws

    # every shuffled mixture of fresh data (the mixtures study and the closing-the-loop runs). Not the pairing study
    # (paired documents) and not the synergy study: its mixes see a 10k-token pool 8 times, a repetition no law
    # here models (the per-language laws are fitted on tokens seen once).
    where = (
        "n_languages > 1 AND coalesce(pairing_mode, 'none') = 'none' AND study NOT IN ('demo_pairing', 'demo_synergy')"
    )
    comparison = compare_laws(con, where, laws=["paper", "effective_data", "synergy_factor", "ye_exp"],
                              per_domain=batch, synergy=synergy_id, folds=5, seed=0)  # fmt: skip
    out["multilingual"] = comparison


def _allocate(con, out: dict[str, Any], work: Path, prepared: Path | None, base_spec: Path, batch: str | None) -> None:
    from codescale.laws import allocate

    assert batch is not None, "analyse() runs the allocation only after per-language fits"

    # The grid's middle size and middle budget: inside the range the laws were fitted on, and cheap to train.
    size, tokens = con.execute(f"""
        SELECT quantile_disc(params_non_embedding, 0.5), quantile_disc(tokens, 0.5) FROM runs
        WHERE study = '{PER_LANGUAGE_STUDY}'
    """).fetchone()
    result = allocate.allocate(
        con, batch, float(tokens), float(size), prepared=str(prepared) if prepared else None, min_share=MIN_SHARE
    )
    # Shares to 1e-3 (the last one takes the rest): a refit that moves the optimum in the 7th digit must not make
    # a rerun train new runs. The predicted losses move by far less than their intervals.
    rounded = {d: round(p, 3) for d, p in result.proportions.items()}
    last = list(rounded)[-1]
    rounded[last] = round(1.0 - sum(v for d, v in rounded.items() if d != last), 3)
    result.proportions = rounded
    spec_path = work / "next" / "allocation_spec.yaml"
    spec_path.parent.mkdir(parents=True, exist_ok=True)
    result = _same_as_before(result, spec_path.with_suffix(".allocation.json"))
    allocate.write_outputs(result, str(spec_path), str(base_spec), None)
    out["allocation"] = result
    out["allocation_spec"] = spec_path


def _same_as_before(result, path: Path):
    """The allocation recorded by an earlier demo in ``path`` when it recommends the same shares at the same N and D
    (a rerun refits the laws, whose predictions move in the last digits): one allocation, one ``allocation_check``
    row, however often the demo runs. Otherwise ``result``."""
    import json

    from codescale.laws.allocate import Allocation

    try:
        before = json.loads(path.read_text())
    except (OSError, ValueError):
        return result
    if (before.get("proportions") != result.proportions or before.get("tokens") != int(result.tokens)
            or before.get("size") != int(result.size)):  # fmt: skip
        return result
    predicted = before["predicted"]
    interval = predicted.get("gain_interval_95")
    return Allocation(
        fit_id=before["fit_id"],
        model=predicted["model"],
        languages=list(result.languages),
        proportions=before["proportions"],
        tokens=result.tokens,
        size=result.size,
        objective=predicted["objective"],
        uniform_objective=predicted["uniform_objective"],
        per_language=predicted["per_language"],
        uniform_per_language=predicted["uniform_per_language"],
        gain_interval=tuple(interval) if interval else None,
        draws=predicted["bootstrap_draws"],
        warnings=result.warnings,
        caps=before.get("caps_tokens") or {},
        weights=predicted.get("weights") or {},
    )


def reference_markdown(check: dict[str, Any] | None) -> list[str]:
    """The report's section on the harness's reference check (:func:`codescale.demo.generation.reference_check`)."""
    if not check:
        return []
    cells = ", ".join(f"{lang} {c['passed']}/{c['total']}" for lang, c in sorted(check["by_language"].items()))
    md = [
        "## The harness's reference check",
        "",
        f"The built-in suite's reference solutions, judged by the same sandboxed harness (isolation: "
        f"{check['isolation']}): {cells}.",
    ]
    md += [f"- failed: `{f['key']}` {f['outcome']}: {f['detail'][:200]}" for f in check["failures"][:10]]
    md += [f"- no toolchain for {lang}: {why}" for lang, why in check.get("missing_toolchains", {}).items()]
    return md + [""]


def finish(db: Path, work: Path, out: dict[str, Any]) -> None:
    """Record the allocation (after its runs were ingested) and write the report; problems go to ``problems``."""
    from codescale.laws import allocate, store
    from codescale.laws.report import report_directions, write_report

    con = store.connect(db)
    try:
        # the mixture laws compared once the closing-the-loop runs are in: they add mixtures at another (N, D)
        if out.get("language_batch") is not None:
            try:
                _multilingual(con, out, out["language_batch"], out.get("synergy_id"))
            except CodescaleError as err:
                out["problems"]["multilingual law"] = err.render()
        if out.get("allocation") is not None:
            try:
                out["allocation_id"] = allocate.record(con, out["allocation"])
                cur = con.execute("SELECT * FROM allocation_check WHERE allocation_id = ?", [out["allocation_id"]])
                names = [c[0] for c in cur.description]
                out["allocation_check"] = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
            except CodescaleError as err:
                out["problems"]["closing the loop"] = err.render()
        try:
            out["directions"] = report_directions(con, out.get("language_batch"))
            out["report"] = write_report(
                con, work / "report", out.get("language_batch"), extra=reference_markdown(out.get("reference_check"))
            )
        except CodescaleError as err:
            out["problems"]["report"] = err.render()
    finally:
        con.close()


def analyse(db: Path, work: Path, *, prepared: Path | None, base_spec: Path) -> dict[str, Any]:
    """Run every analysis stage on ``db``; failures of a stage are recorded under ``problems``."""
    from codescale.laws import store

    out: dict[str, Any] = {"problems": {}}
    con = store.connect(db)
    try:
        batch = synergy_id = None
        stages = [
            ("per-language laws", lambda: _fit_languages(con, out)),
            ("synergy", lambda: _fit_synergy(con, out)),
            ("pairing", lambda: _pairing_effect(con, out)),
            ("translation laws", lambda: _fit_translation(con, out)),
        ]
        for name, stage in stages:
            try:
                value = stage()
            except CodescaleError as err:
                out["problems"][name] = err.render()
                continue
            if name == "per-language laws":
                batch = value
            elif name == "synergy":
                synergy_id = value
        out["synergy_id"] = synergy_id
        for name, stage in [
            ("allocation", lambda: _allocate(con, out, work, prepared, base_spec, batch)),
        ]:
            if batch is None:
                out["problems"][name] = "skipped: no per-language fits"
                continue
            try:
                stage()
            except CodescaleError as err:
                out["problems"][name] = err.render()
    finally:
        con.close()
    return out
