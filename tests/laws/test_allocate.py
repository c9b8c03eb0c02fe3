"""Allocation: simplex, bounds and data caps respected, gain with an interval, files the compiler accepts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from codescale.core.contracts import PreparedManifest
from codescale.core.errors import CodescaleError
from codescale.laws.allocate import allocate, write_outputs
from codescale.laws.mixfit import FitOptions
from codescale.laws.mixture import fit_and_store

sys.path.insert(0, str(Path(__file__).parent))
from mixture_fixtures import code_store  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def con_fit(tmp_path_factory):
    con = code_store(tmp_path_factory.mktemp("alloc") / "a.duckdb")
    _, stored = fit_and_store(con, "synergy_factor", "study = 'mix'", FitOptions(bootstrap=20), per_domain="mono")
    yield con, stored.fit_id
    con.close()


def test_optimum_is_on_the_simplex_and_no_worse_than_uniform(con_fit):
    con, fit_id = con_fit
    result = allocate(con, fit_id, 350e9, 1.5e9, starts=6)
    assert sum(result.proportions.values()) == pytest.approx(1.0)
    assert result.gain >= 0
    lo, hi = result.gain_interval
    assert lo <= hi and result.draws == 20


def test_the_gain_interval_includes_the_mixture_laws_own_uncertainty(con_fit):
    con, fit_id = con_fit
    from codescale.laws.mixture import load

    fit, _ = load(con, fit_id)
    assert np.ptp(fit.units["(shared)"].samples[:, 0]) > 0  # kappa's replicates differ, and enter the interval
    with_kappa = allocate(con, fit_id, 350e9, 1.5e9, starts=4)
    fixed = allocate(con, "mono", 350e9, 1.5e9, starts=4)  # per-language laws alone: their draws only
    assert with_kappa.draws == fixed.draws == 20
    assert with_kappa.gain_interval != fixed.gain_interval


def test_every_law_of_the_family_can_allocate_with_an_interval_from_its_converged_replicates(con_fit):
    con, _ = con_fit
    for law in ("paper", "effective_data", "ye_exp", "joint_additive", "regression"):
        fit, stored = fit_and_store(con, law, "study = 'mix'", FitOptions(bootstrap=6), per_domain="mono")
        result = allocate(con, stored.fit_id, 350e9, 1.5e9, starts=3)
        assert sum(result.proportions.values()) == pytest.approx(1.0), law
        assert result.gain >= -1e-9, law
        # replicate b counts only where every unit of the law converged on it
        coherent = (
            6
            if law == "regression"
            else int(np.all([np.isfinite(u.samples).all(axis=1) for u in fit.units.values()], axis=0).sum())
        )
        assert result.draws == coherent, law
        assert (result.gain_interval is not None) == (coherent > 0), law


def test_available_tokens_cap_shares_and_charge_repetition(con_fit):
    con, fit_id = con_fit
    free = allocate(con, fit_id, 350e9, 1.5e9, starts=4)
    capped = allocate(con, fit_id, 350e9, 1.5e9, starts=4, available={"go": 40e9}, max_epochs=4)
    assert capped.proportions["go"] * 350e9 <= 160e9 * (1 + 1e-6)
    # 40B distinct Go tokens: beyond one epoch Go's data term counts less, so the same share predicts a higher loss
    assert capped.uniform_per_language["go"] > free.uniform_per_language["go"]


def test_share_bounds_and_corpus_caps_hold(con_fit, tmp_path):
    con, fit_id = con_fit

    def split(tokens: int) -> dict:
        return {"train": {"documents": 1, "tokens": tokens, "shards": []}}

    manifest = PreparedManifest(
        catalog="catalog.yaml",
        content_hash="0",
        dtype="uint16",
        validation={"fraction": 0.02},
        parallel=None,
        tokenizer={"dir": "tokenizer", "sha256": "0", "vocab_size": 4096, "bos_id": 0, "eos_id": 1, "pad_id": 2},
        languages={"go": split(10 * 10**9), "java": split(500 * 10**9), "python": split(500 * 10**9)},
        translation={},
    )
    (tmp_path / "manifest.json").write_text(manifest.to_json())
    result = allocate(con, fit_id, 350e9, 1.5e9, min_share=0.05, max_share={"python": 0.5}, prepared=str(tmp_path),
                      max_epochs=2.0, starts=6)  # fmt: skip
    p = result.proportions
    assert p["go"] * 350e9 <= 20e9 * (1 + 1e-6)  # 10B available x 2 epochs
    assert p["python"] <= 0.5 + 1e-9 and min(p.values()) >= 0.05 - 1e-9
    assert any("uniform allocation violates" in w for w in result.warnings)


def test_infeasible_caps_say_what_to_relax(con_fit):
    con, fit_id = con_fit
    with pytest.raises(CodescaleError, match="min share above max share"):
        allocate(con, fit_id, 350e9, 1.5e9, min_share=0.5, max_share={"go": 0.2})
    with pytest.raises(CodescaleError, match="maximum shares .* sum to 0.6"):
        allocate(con, fit_id, 350e9, 1.5e9, max_share=0.2)
    with pytest.raises(CodescaleError, match="no training domain rust"):
        allocate(con, fit_id, 350e9, 1.5e9, languages=["rust"])


def test_written_spec_is_accepted_by_the_compiler(con_fit, tmp_path):
    con, fit_id = con_fit
    result = allocate(con, fit_id, 350e9, 1.5e9, starts=4)
    spec = tmp_path / "specs" / "next.yaml"
    write_outputs(result, str(spec), str(ROOT / "specs/paper/allocation.yaml"), None)
    allocation = json.loads((tmp_path / "specs" / "next.allocation.json").read_text())
    assert allocation["format"] == "codescale.allocation/1"
    assert allocation["fit_id"] == fit_id and allocation["tokens"] == 350_000_000_000
    assert np.isclose(sum(allocation["proportions"].values()), 1.0)
    # --no-slurm: the paper's partition and account are not this machine's (a local Slurm may be up for tests/slurm)
    out = subprocess.run(
        [sys.executable, "-m", "codescale.core.cli", "validate", "--no-slurm", str(spec)],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    assert "1 runs" in out.stdout
