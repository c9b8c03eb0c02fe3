"""Closing the loop in SQL: ``allocations`` records what ``allocate`` recommended and ``allocation_check`` sets its
predicted gain beside the gain realised by runs trained on it and on the uniform mixture at the same N and D."""

from __future__ import annotations

import math
from statistics import variance

import pytest
from scipy import stats

from codescale.laws import store
from codescale.laws.allocate import Allocation, record

N, D = 1_000_000, 10_000_000


def _run(run_id: str, proportions: dict[str, float], losses: dict[str, float], *, n: int = N, seed: int = 0,
         pairing: str = "none") -> tuple[dict, list[dict]]:  # fmt: skip
    languages = list(proportions)
    run = {"run_id": run_id, "source": "simulate", "study": "loop", "languages": languages, "params": 2 * n,
           "params_non_embedding": n, "tokens": D, "proportions": proportions, "seed": seed, "pairing_mode": pairing,
           "tokens_per_language": {k: round(D * p) for k, p in proportions.items()}, "status": "completed"}  # fmt: skip
    evals = [{"run_id": run_id, "metric": "valid_loss", "language": lang, "loss": loss, "is_final": True}
             for lang, loss in losses.items()]  # fmt: skip
    return run, evals


def _allocation(shares: dict[str, float], weights: dict[str, float], gain_interval=(0.01, 0.05)) -> Allocation:
    return Allocation(fit_id="fit-1", model="effective_data", languages=list(shares), proportions=shares, tokens=D,
                      size=N, objective=2.00, uniform_objective=2.03, per_language={"python": 1.9, "java": 2.2},
                      uniform_per_language={"python": 1.95, "java": 2.15}, gain_interval=gain_interval, draws=50,
                      weights=weights)  # fmt: skip


def _objective(losses: dict[str, float], weights: dict[str, float]) -> float:
    return sum(weights[k] * v for k, v in losses.items()) / sum(weights.values())


@pytest.fixture()
def con(tmp_path):
    con = store.connect(tmp_path / "loop.duckdb")
    yield con
    con.close()


def _write(con, runs: list[tuple[dict, list[dict]]], unique: dict | None = None) -> None:
    with store.transaction(con):
        store.replace_runs(con, [r for r, _ in runs], [e for _, ev in runs for e in ev], unique)


ALLOCATED = {"python": 0.7, "java": 0.3}
UNIFORM = {"python": 0.5, "java": 0.5}
WEIGHTS = {"python": 2.0, "java": 1.0}
ALLOCATED_LOSSES = [{"python": 1.90, "java": 2.30}, {"python": 1.96, "java": 2.27}]
UNIFORM_LOSSES = [{"python": 1.97, "java": 2.24}, {"python": 2.05, "java": 2.20}]


def test_predicted_and_realised_gain_with_a_welch_interval_per_allocation_tested(con):
    runs = [_run(f"alloc-s{i}", ALLOCATED, losses, seed=i) for i, losses in enumerate(ALLOCATED_LOSSES)]
    runs += [_run(f"uni-s{i}", UNIFORM, losses, seed=i) for i, losses in enumerate(UNIFORM_LOSSES)]
    _write(con, runs)
    allocation_id = record(con, _allocation(ALLOCATED, WEIGHTS))
    row = con.execute("SELECT * FROM allocation_check").fetchdf().to_dict("records")
    assert len(row) == 1
    row = row[0]
    allocated = [_objective(x, WEIGHTS) for x in ALLOCATED_LOSSES]
    uniform = [_objective(x, WEIGHTS) for x in UNIFORM_LOSSES]
    gain = sum(uniform) / 2 - sum(allocated) / 2
    se = math.sqrt(variance(allocated) / 2 + variance(uniform) / 2)
    df = (variance(allocated) / 2 + variance(uniform) / 2) ** 2 / (
        (variance(allocated) / 2) ** 2 + (variance(uniform) / 2) ** 2
    )
    q = stats.t.ppf(0.975, math.floor(df))
    assert row["allocation_id"] == allocation_id
    assert (row["n_allocated"], row["n_uniform"]) == (2, 2)
    assert row["realised_gain"] == pytest.approx(gain)
    assert row["realised_low"] == pytest.approx(gain - q * se, rel=1e-3)
    assert row["realised_high"] == pytest.approx(gain + q * se, rel=1e-3)
    assert row["realised_rel_gain"] == pytest.approx(gain / (sum(uniform) / 2))
    assert (row["predicted_gain"], row["predicted_low"], row["predicted_high"]) == pytest.approx((0.03, 0.01, 0.05))
    assert list(row["allocated_run_ids"]) == ["alloc-s0", "alloc-s1"]
    assert list(row["uniform_run_ids"]) == ["uni-s0", "uni-s1"]


def test_runs_at_another_size_paired_or_repeating_data_are_not_counted(con):
    runs = [_run("alloc-s0", ALLOCATED, ALLOCATED_LOSSES[0]), _run("uni-s0", UNIFORM, UNIFORM_LOSSES[0])]
    runs += [
        _run("uni-big", UNIFORM, {"python": 1.0, "java": 1.0}, n=4 * N),  # another N: its own (N, D) row
        _run("uni-paired", UNIFORM, {"python": 9.0, "java": 9.0}, pairing="parallel"),
        _run("uni-repeat", UNIFORM, {"python": 9.0, "java": 9.0}),
        _run("three", {"python": 0.5, "java": 0.25, "go": 0.25}, {"python": 9.0, "java": 9.0, "go": 9.0}),
    ]
    _write(con, runs, unique={"uni-repeat": {"python": 1000, "java": 1000}})
    record(con, _allocation(ALLOCATED, WEIGHTS))
    rows = con.execute("SELECT params_non_embedding, n_allocated, n_uniform, uniform_run_ids, realised_low "
                       "FROM allocation_check").fetchall()  # fmt: skip
    assert rows == [(N, 1, 1, ["uni-s0"], None)]  # one run a side: a gain but no interval


def test_the_same_training_recorded_twice_counts_once(con):
    runs = [_run(f"alloc-s{i}", ALLOCATED, losses, seed=i) for i, losses in enumerate(ALLOCATED_LOSSES)]
    runs += [_run(f"uni-s{i}", UNIFORM, losses, seed=i) for i, losses in enumerate(UNIFORM_LOSSES)]
    runs.append(_run("another-study-s0", UNIFORM, UNIFORM_LOSSES[0], seed=0))  # uni-s0 again: same seed, same losses
    runs.append(_run("uni-s0-other-recipe", UNIFORM, {"python": 2.01, "java": 2.21}, seed=0))  # same seed, new losses
    _write(con, runs)
    record(con, _allocation(ALLOCATED, WEIGHTS))
    (uniform_ids,) = con.execute("SELECT uniform_run_ids FROM allocation_check").fetchone()
    assert uniform_ids == ["another-study-s0", "uni-s0-other-recipe", "uni-s1"]  # uni-s0 counted once, by its twin


def test_recording_the_same_allocation_again_replaces_it(con):
    first = record(con, _allocation(ALLOCATED, WEIGHTS))
    again = record(con, _allocation(ALLOCATED, WEIGHTS))
    other = record(con, _allocation({"python": 0.6, "java": 0.4}, WEIGHTS))
    assert first == again != other
    assert con.execute("SELECT count(*) FROM allocations").fetchone() == (2,)
    assert con.execute("SELECT count(*) FROM allocation_domains WHERE allocation_id = ?", [first]).fetchone() == (2,)


def test_an_allocation_nobody_trained_has_no_row(con):
    _write(con, [_run("uni-s0", UNIFORM, UNIFORM_LOSSES[0])])
    record(con, _allocation(ALLOCATED, WEIGHTS))
    assert con.execute("SELECT count(*) FROM allocation_check").fetchone() == (0,)
