"""The held-out checks on public mixture data, rehearsed end to end through the CLI on simulated look-alikes.

The public files (Ye et al.'s 26 Pile mixtures at 70M; RegMix's 512 + 256 proxy runs over 17 domains) are not in
this repository; :mod:`codescale.laws.experiments` writes tables of the same shape from a generating law that no law
of the family matches, with per-run and per-cell noise. Only ``codescale import``, ``fit mixture`` and
``validate-law`` are used, as the checks on the real files will be; every refit leaves the held-out runs out.
"""

from __future__ import annotations

import re

import pytest

from codescale.core.cli import main
from codescale.laws import store
from codescale.laws.experiments import pile_mixtures, regmix_mixtures

TEST_SPLIT = "run_id IN (SELECT run_id FROM runs WHERE run_json->>'split' = 'test')"


def fit_id(out: str) -> str:
    return re.search(r"^(mixture-\S+)", out, re.M).group(1)


def validation_rows(db, law: str) -> dict:
    con = store.connect(db, read_only=True)
    try:
        rows = con.execute("SELECT domain, n_heldout, mae, spearman FROM validations WHERE law = ? "
                           "ORDER BY created DESC", [law]).fetchall()  # fmt: skip
    finally:
        con.close()
    newest: dict = {}
    for row in rows:
        newest.setdefault(row[0], row)
    return newest


def test_pile_five_domains_ye_exp_beats_0_035_domain_weighted_mae_on_six_held_out_mixtures(tmp_path, capsys):
    db = str(tmp_path / "pile.duckdb")
    csv = pile_mixtures(tmp_path / "pile_mixtures.csv", seed=0)
    assert main(["import", str(csv), "--map", "size=model_size,run=run", "--proportions", "p:*", "--losses",
                 "loss:*", "--db", db]) == 0  # fmt: skip
    assert main(["fit", "mixture", "--law", "ye_exp", "--bootstrap", "20", "--db", db]) == 0
    fid = fit_id(capsys.readouterr().out)
    assert main(["validate-law", fid, "--holdout", TEST_SPLIT, "--db", db]) == 0
    out = capsys.readouterr().out
    assert "20 training runs per refit, 6 runs held out" in out
    rows = validation_rows(db, "ye_exp")
    overall = rows[None]
    assert overall[1] == 30  # 6 mixtures x 5 evaluated domains
    assert overall[2] < 0.035  # the published exponential law reaches about 0.035 held out
    assert len(rows) == 6  # one row per domain and the overall row


def test_regmix_best_law_beats_the_boosted_trees_spearman_on_pile_cc(tmp_path, capsys):
    db = str(tmp_path / "regmix.duckdb")
    csv = regmix_mixtures(tmp_path / "regmix_proxies.csv", seed=0)
    assert main(["import", str(csv), "--proportions", "train_the_pile_*", "--losses", "metric/the_pile_*_val_loss",
                 "--set", "size=1M,tokens=1B", "--db", db]) == 0  # fmt: skip
    assert "imported 768 runs (9984 final losses)" in capsys.readouterr().out
    assert main(["fit", "mixture", "--compare", "--laws", "joint_additive,regression", "--holdout", TEST_SPLIT,
                 "--db", db]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "winner: joint_additive" in out
    best, trees = validation_rows(db, "joint_additive"), validation_rows(db, "regression")
    assert best["pile_cc"][1] == trees["pile_cc"][1] == 256
    assert best["pile_cc"][3] > 0.99 and best["pile_cc"][3] > trees["pile_cc"][3]
    # the same law, fitted and validated on its own
    assert main(["fit", "mixture", "--law", "joint_additive", "--db", db]) == 0
    fid = fit_id(capsys.readouterr().out)
    assert main(["validate-law", fid, "--holdout", TEST_SPLIT, "--db", db]) == 0
    assert validation_rows(db, "joint_additive")["pile_cc"][3] == pytest.approx(best["pile_cc"][3], abs=1e-9)
