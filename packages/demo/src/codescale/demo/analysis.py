"""The analysis stage of ``codescale demo``: fits, allocation and the report, on the demo's DuckDB file.

Torch-free: it calls the same ``codescale.laws`` functions ``codescale fit``, ``allocate`` and ``report`` call:

1. per-language law L = E + A/N^alpha + B/D^beta for every language of the per-language grid (``demo_per_language``
   study), full 4,500-start grid and a bootstrap over runs for intervals;
2. the synergy matrix from the bilingual 50:50 runs and their self-repetition baselines;
3. the pairing effect: mean final translation loss per data organisation (shuffled, direct, prompt), on directions
   seen in training and unseen ones (from the ``translation_final`` view);
4. the proportion-dependent mixture laws (the paper's Eqs. 6-7, our alternatives and Ye et al.'s exponential law,
   compared on the same held-out folds) over every mixture run;
5. an allocation of a token budget across the grid's languages under the per-language laws, written back as a spec
   that ``codescale compile`` accepts;
6. the Markdown + PNG report.

A stage that cannot run on the data at hand (say, too few runs for a law) is reported in the summary with its
reason instead of stopping the demo: the earlier stages' results are still worth showing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from codescale.core.errors import CodescaleError

PER_LANGUAGE_STUDY = "demo_per_language"
BOOTSTRAP = 100


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

    fits = fit_synergy(con, "true", 0.95, batch=new_batch_id())
    out["synergy_fits"] = fits
    return fits[0].fit_id if fits else None


def _pairing_effect(con, out: dict[str, Any]) -> None:
    rows = con.execute("""
        SELECT coalesce(pairing_template, 'shuffled') AS organisation,
               CASE WHEN seen THEN 'seen' ELSE 'unseen' END AS directions,
               avg(loss) AS mean_loss, count(*) AS n
        FROM translation_final
        WHERE study = 'demo_pairing'
        GROUP BY ALL ORDER BY directions, organisation
    """).fetchall()
    out["pairing"] = rows


def _multilingual(con, out: dict[str, Any], batch: str | None, synergy_id: str | None) -> None:
    from codescale.laws.compare import compare_laws

    comparison = compare_laws(con, "n_languages > 1", laws=["paper", "effective_data", "synergy_factor", "ye_exp"],
                              per_domain=batch, synergy=synergy_id, folds=5, seed=0)  # fmt: skip
    out["multilingual"] = comparison


def _allocate(con, out: dict[str, Any], work: Path, prepared: Path | None, base_spec: Path, batch: str | None) -> None:
    from codescale.laws import allocate

    assert batch is not None, "analyse() runs the allocation only after per-language fits"

    # The grid's largest size and budget, for the next round of the study.
    size, tokens = con.execute(f"""
        SELECT max(params_non_embedding), max(tokens) FROM runs WHERE study = '{PER_LANGUAGE_STUDY}'
    """).fetchone()
    result = allocate.allocate(con, batch, float(tokens), float(size), prepared=str(prepared) if prepared else None)
    spec_path = work / "next" / "allocation_spec.yaml"
    spec_path.parent.mkdir(parents=True, exist_ok=True)
    allocate.write_outputs(result, str(spec_path), str(base_spec), None)
    out["allocation"] = result
    out["allocation_spec"] = spec_path


def _report(con, out: dict[str, Any], work: Path, batch: str | None) -> None:
    from codescale.laws.report import write_report

    out["report"] = write_report(con, work / "report", batch)


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
        for name, stage in [
            ("multilingual law", lambda: _multilingual(con, out, batch, synergy_id)),
            ("allocation", lambda: _allocate(con, out, work, prepared, base_spec, batch)),
            ("report", lambda: _report(con, out, work, batch)),
        ]:
            if batch is None and name != "report":
                out["problems"][name] = "skipped: no per-language fits"
                continue
            try:
                stage()
            except CodescaleError as err:
                out["problems"][name] = err.render()
    finally:
        con.close()
    return out
