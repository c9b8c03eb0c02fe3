"""directions: the paper's findings judged from fits and views by stated rules, never by hand."""

from __future__ import annotations

from codescale.laws.directions import (
    NOT_REPRODUCED,
    NOT_TESTABLE,
    REPRODUCED,
    _allocation,
    _mixture,
    _pairing,
    _per_language,
    _synergy,
)
from codescale.laws.fitstore import StoredFit


def _fit(kind: str, params: dict, intervals: dict | None = None, group: str | None = None, **settings) -> StoredFit:
    return StoredFit(
        kind=kind,
        form="",
        selection_sql="",
        settings=settings,
        n_runs=9,
        objective=0.0,
        converged=True,
        params=params,
        intervals=intervals or {},
        group_key="language",
        group_value=group,
    )


def _law(lang: str, e: float, alpha: float = 0.3, beta: float = 0.6, unidentified: list | None = None) -> StoredFit:
    fit = _fit(
        "chinchilla", {"E": e, "A": 1.0, "B": 2.0, "alpha": alpha, "beta": beta}, {"E": (0.8 * e, 1.2 * e)}, lang
    )
    fit.unidentified = unidentified or []
    return fit


def test_identified_laws_with_positive_e_reproduce_and_are_ranked_by_e():
    found = _per_language({"python": _law("python", 1.5), "java": _law("java", 0.9)})
    assert found[0].verdict == REPRODUCED and "java 0.9 < python 1.5" in found[0].evidence
    assert found[1].verdict == REPRODUCED  # β > α everywhere
    assert found[2].verdict == REPRODUCED  # java below python, as in the paper's Fig. 2, intervals apart


def test_the_l_inf_order_counts_only_when_the_e_intervals_resolve_it():
    overlapping = {"python": _law("python", 1.2), "java": _law("java", 0.9)}
    overlapping["java"].intervals["E"] = (0.0, 1.1)  # reaches into python's (0.96, 1.44)
    found = _per_language(overlapping)
    assert found[0].verdict == REPRODUCED
    assert found[2].verdict == NOT_TESTABLE and "the E intervals overlap (java [0, 1.1] vs python" in found[2].evidence
    reversed_order = _per_language({"python": _law("python", 0.5), "java": _law("java", 1.5)})
    assert reversed_order[2].verdict == NOT_REPRODUCED  # resolved, and the other way round from the paper
    unidentified = _per_language(
        {"python": _law("python", 1.2, unidentified=["E on its bound"]), "java": _law("java", 0.9)}
    )
    assert unidentified[2].verdict == NOT_TESTABLE and "not every law is identified" in unidentified[2].evidence


def test_an_unidentified_law_is_not_reproduced_and_says_why():
    found = _per_language({"python": _law("python", 1e-11, unidentified=["E on its bound"]), "java": _law("java", 1)})
    assert found[0].verdict == NOT_REPRODUCED and "python: unidentified (E on its bound)" in found[0].evidence


def test_synergy_counts_positive_cells_their_intervals_and_agreement_with_table_1():
    fit = _fit(
        "synergy",
        {"rel_gain:python:java": 0.05, "rel_gain:java:python": 0.08, "rel_gain:go:java": -0.01},
        {"rel_gain:python:java": (0.01, 0.09), "rel_gain:java:python": (-0.02, 0.18)},
    )
    found = _synergy(fit)
    assert found.verdict == REPRODUCED
    assert found.evidence.startswith("2 of 3 cells positive")
    assert "1 of 2 with an interval above zero" in found.evidence
    assert "sign agrees with Table 1 in 2 of 3" in found.evidence  # go<-java is positive in the paper
    assert _synergy(None).verdict == NOT_TESTABLE


def test_pairing_compares_paired_with_shuffled_per_direction_group():
    rows = [
        ("direct", "seen", 3.9, 0.1, 4, 1),
        ("shuffled", "seen", 4.0, 0.1, 4, 1),
        ("direct", "unseen", 4.2, 0.1, 2, 1),
        ("shuffled", "unseen", 4.1, 0.1, 2, 1),
    ]
    unseen, seen = _pairing(rows)
    assert unseen.verdict == NOT_REPRODUCED and seen.verdict == REPRODUCED
    assert [d.verdict for d in _pairing(rows[:1])] == [NOT_TESTABLE, NOT_TESTABLE]


def test_an_allocation_reproduces_only_when_its_realised_interval_is_above_zero():
    check = {
        "realised_gain": 0.02,
        "realised_low": 0.01,
        "realised_high": 0.03,
        "predicted_gain": 0.015,
        "predicted_low": 0.005,
        "predicted_high": 0.03,
        "n_allocated": 2,
        "n_uniform": 2,
    }
    assert _allocation([check]).verdict == REPRODUCED
    assert "the realised interval covers the prediction" in _allocation([check]).evidence
    assert _allocation([dict(check, realised_low=-0.01)]).verdict == NOT_REPRODUCED + " (positive, within noise)"
    assert _allocation([dict(check, realised_gain=-0.01)]).verdict == NOT_REPRODUCED
    assert _allocation([]).verdict == NOT_TESTABLE


def test_an_allocation_the_law_cannot_tell_from_uniform_is_not_testable():
    check = {
        "realised_gain": -0.01,
        "realised_low": -0.15,
        "realised_high": 0.12,
        "predicted_gain": 0.00001,
        "predicted_low": -0.0007,
        "predicted_high": 0.0006,
        "n_allocated": 2,
        "n_uniform": 2,
    }
    found = _allocation([check])
    assert found.verdict == NOT_TESTABLE and "no gain distinguishable from zero" in found.evidence


def test_the_paper_mixture_law_must_be_ranked_to_be_judged():
    comp = _fit(
        "mixture_comparison",
        {"paper.mean_rel": 0.02},
        ranking=["effective_data", "paper"],
        scheme="5-fold",
        winner="effective_data",
    )
    assert _mixture(comp).verdict == REPRODUCED and "rank 2 of 2" in _mixture(comp).evidence
    skipped = _fit("mixture_comparison", {}, ranking=["effective_data"], skipped={"paper": "no law for go"})
    assert _mixture(skipped).verdict == NOT_TESTABLE and "no law for go" in _mixture(skipped).evidence
