"""`codescale propose` end to end: a compiled study simulated into a real store, fitted, and the proposed runs written
as a spec that the real compiler turns into exactly those runs; runs done or planned are never proposed again."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from codescale.compiler.plan import plan_spec
from codescale.core.cli import main
from codescale.core.errors import CodescaleError
from codescale.laws import presets, store
from codescale.laws.allocate import allocate
from codescale.laws.fit import FitSettings
from codescale.laws.fitstore import N_COLUMNS, fit_groups
from codescale.laws.propose import parse_target, propose, write_spec
from codescale.laws.simulate import load_plan, simulate_plan

FIXTURES = Path(__file__).parent / "propose_fixtures"
BATCH = "seedfit"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """A store holding the simulated runs of study.yaml (python and go, 3 sizes x 3 budgets) and their
    per-language fits with 20 bootstrap draws (batch 'seedfit'); the spec is copied so the runs name it."""
    root = tmp_path_factory.mktemp("propose")
    spec = root / "study.yaml"
    shutil.copy(FIXTURES / "study.yaml", spec)
    assert main(["compile", str(spec), "-o", str(root / "out")]) == 0
    db = root / "seed.duckdb"
    con = store.connect(db)
    simulate_plan(con, load_plan(root / "out"), presets.paper_truth(), noise=0.005, seed=1)
    fit_groups(con, kind="chinchilla", view="final_loss", where="true", group_expr="language", group_key="language",
               label_expr="language", n_expr=N_COLUMNS["params_non_embedding"], d_expr="coalesce(language_tokens, tokens)",
               settings=FitSettings(grid="coarse", bootstrap=20), batch=BATCH,
               extra_settings={"n_column": "params_non_embedding", "d_column": "language"})  # fmt: skip
    con.close()
    return root, db


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    """The mixture fixture store (paper preset, go/java/python: per-language batch 'mono', synergy, 10 mixtures x 4
    scales in study 'mix') with a synergy_factor, a paper and a regression fit of the mixtures."""
    from mixture_fixtures import code_store

    from codescale.laws.mixfit import FitOptions
    from codescale.laws.mixture import fit_and_store

    db = tmp_path_factory.mktemp("propose_mix") / "mix.duckdb"
    con = code_store(db, mixtures=10)
    ids = {}
    for law in ("synergy_factor", "paper", "regression"):
        _, stored = fit_and_store(con, law, "study = 'mix'", FitOptions(bootstrap=20 if law != "regression" else 0),
                                  per_domain="mono")  # fmt: skip
        ids[law] = stored.fit_id
    con.close()
    return db, ids


@pytest.fixture
def work(seeded, tmp_path, monkeypatch):
    """A private copy of the seeded store (tests that ingest or simulate must not change the others')."""
    root, db = seeded
    copy = tmp_path / "store.duckdb"
    shutil.copy(db, copy)
    monkeypatch.chdir(tmp_path)
    return root, copy


def run_cli(capsys, *args) -> tuple[int, str, str]:
    code = main(["propose", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_the_written_spec_compiles_to_exactly_the_proposed_runs_within_the_budget(work, capsys, tmp_path):
    root, db = work
    code, out, err = run_cli(capsys, "--db", str(db), "--fit", BATCH, "--target", "loss:python@N=3.1B,D=64B",
                             "--gpu-hours", "150", "--json", "-o", str(tmp_path / "next" / "next.yaml"))  # fmt: skip
    assert code == 0, err
    proposal = json.loads(out)
    ids = [r["run_id"] for r in proposal["runs"]]
    assert ids and proposal["gpu_hours"] <= 150
    assert all(r["proportions"] == {"python": 1.0} for r in proposal["runs"])  # the target depends on python only
    spec = tmp_path / "next" / "next.yaml"
    assert main(["validate", "--no-slurm", str(spec)]) == 0  # an H800 recipe: not this machine's local Slurm
    assert main(["compile", str(spec), "-o", str(tmp_path / "compiled")]) == 0
    compiled = load_plan(tmp_path / "compiled")
    assert sorted(r.run_id for r in compiled.runs) == sorted(ids)
    by_id = {r.run_id: r for r in compiled.runs}
    for row in proposal["runs"]:  # costed by the compiler's own model
        assert row["gpu_hours"] == pytest.approx(by_id[row["run_id"]].derived.gpu_hours)
        assert row["tokens"] == by_id[row["run_id"]].training.tokens
    assert compiled.totals.gpu_hours <= compiled.budget.gpu_hours_limit


def test_each_proposed_run_carries_a_comment_saying_why(work, capsys, tmp_path):
    _, db = work
    code, out, _ = run_cli(capsys, "--db", str(db), "--fit", BATCH, "--target", "param:go.alpha", "--gpu-hours", "40",
                           "-o", "next.yaml")  # fmt: skip
    assert code == 0
    text = (tmp_path / "next.yaml").read_text()
    reasons = re.findall(r"^  # (\d+)\. go, N=\S+, D=\S+: expected variance left (\S+)% -> (\S+)% .*GPU-hours; run (\S+)$",
                         text, re.M)  # fmt: skip
    runs = plan_spec(tmp_path / "next.yaml").runs
    assert len(reasons) == len(runs) >= 1
    assert {r[3] for r in reasons} == {r.run_id for r in runs}
    lefts = [(float(a), float(b)) for _, a, b, _ in reasons]
    assert all(after < before for before, after in lefts)  # every run is expected to shrink the variance
    assert all(lefts[i][1] == pytest.approx(lefts[i + 1][0]) for i in range(len(lefts) - 1))
    assert "target: alpha of go" in text and "run id" in out  # the table names the runs too


def test_the_json_and_the_table_list_the_same_runs(work, capsys):
    _, db = work
    args = ("--db", str(db), "--fit", BATCH, "--target", "loss:go@N=1B,D=30B", "--gpu-hours", "60")
    _, table_out, _ = run_cli(capsys, *args)
    _, json_out, _ = run_cli(capsys, *args, "--json")
    ids = [r["run_id"] for r in json.loads(json_out)["runs"]]
    assert ids and [line.split()[-1] for line in table_out.splitlines() if line.split()[-1] in ids] == ids


def test_runs_already_in_the_store_or_planned_are_not_proposed_again(work, capsys, tmp_path):
    root, db = work
    target = ("--db", str(db), "--fit", BATCH, "--target", "loss:python@N=3.1B,D=64B", "--gpu-hours", "40", "--json")
    code, out, _ = run_cli(capsys, *target, "-o", "first.yaml")
    first = {r["run_id"] for r in json.loads(out)["runs"]}
    assert code == 0 and first
    # compiled but not ingested: --planned
    assert main(["compile", "first.yaml", "-o", "first_out"]) == 0
    capsys.readouterr()
    _, out, _ = run_cli(capsys, *target, "--planned", "first_out/plan.json")
    again = json.loads(out)
    assert not first & {r["run_id"] for r in again["runs"]}
    assert again["pending_runs_counted"] == len(first)
    assert again["dropped"]["already done or planned"] >= len(first) + 9
    # ingested before training (status unknown, no loss yet): the store itself says they are planned
    assert main(["ingest", "first_out", "--db", str(db)]) == 0
    capsys.readouterr()
    _, out, _ = run_cli(capsys, *target)
    assert not first & {r["run_id"] for r in json.loads(out)["runs"]}
    # trained (here: simulated): done, and not proposed either
    con = store.connect(db)
    simulate_plan(con, load_plan("first_out"), presets.paper_truth(), noise=0.005, seed=2)
    con.close()
    _, out, _ = run_cli(capsys, *target)
    rerun = json.loads(out)
    assert not first & {r["run_id"] for r in rerun["runs"]} and rerun["pending_runs_counted"] == 0


def test_planned_runs_count_as_information(work):
    """A planned run at the most informative point leaves less variance to remove."""
    _, db = work
    con = store.connect(db)
    target = parse_target("loss:python@N=3.1B,D=64B")
    first = propose(con, BATCH, target, 150.0, base_spec=str(FIXTURES / "study.yaml"), max_runs=1)
    planned = load_plan_of(first, con)
    second = propose(con, BATCH, target, 150.0, base_spec=str(FIXTURES / "study.yaml"), planned=[planned])
    con.close()
    assert second.pending == 1 and first.runs[0].run_id not in {r.run_id for r in second.runs}
    assert second.sd_delta < first.sd_delta  # the planned run already shrinks the target's uncertainty


def load_plan_of(proposal, con):
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "p.yaml"
        write_spec(proposal, path)
        return plan_spec(path).to_file()


def test_candidates_from_a_spec_are_chosen_among_and_reproduced(work, capsys, tmp_path):
    _, db = work
    candidates = plan_spec(FIXTURES / "candidates.yaml").runs
    code, out, err = run_cli(capsys, "--db", str(db), "--fit", BATCH, "--target", "param:python.E", "--gpu-hours", "200",
                             "--candidates", str(FIXTURES / "candidates.yaml"), "--json", "-o", "picked.yaml")  # fmt: skip
    assert code == 0, err
    proposal = json.loads(out)
    ids = [r["run_id"] for r in proposal["runs"]]
    assert set(ids) <= {r.run_id for r in candidates}
    assert sorted(r.run_id for r in plan_spec(tmp_path / "picked.yaml").runs) == sorted(ids)
    # python-0.4b-8b of the seed study is the same computation as cand-0p4b-8b: the compiled hash matches
    assert proposal["dropped"]["already done or planned"] == 2
    assert proposal["candidate_source"].startswith("the 8 runs of")


def test_a_gain_target_is_the_allocations_predicted_gain(work):
    _, db = work
    con = store.connect(db)
    target = parse_target("gain@N=1B,D=30B")
    proposal = propose(con, BATCH, target, 30.0, base_spec=str(FIXTURES / "study.yaml"))
    expected = allocate(con, BATCH, 30e9, 1e9)
    con.close()
    assert proposal.value == pytest.approx(expected.gain, rel=1e-6, abs=1e-12)
    langs = {lang for r in proposal.runs for lang in r.proportions}
    assert proposal.runs and langs <= {"go", "python"} and proposal.gpu_hours <= 30


def test_without_a_base_spec_the_fitted_runs_spec_is_the_recipe(work, capsys):
    _, db = work
    code, out, err = run_cli(capsys, "--db", str(db), "--fit", BATCH, "--target", "param:python.beta",
                             "--gpu-hours", "20", "--json")  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["runs"]


def test_a_mixture_fit_gets_runs_with_proportions(mixed, tmp_path, capsys, monkeypatch):
    db, ids = mixed
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(capsys, "--db", str(db), "--fit", ids["synergy_factor"], "--target",
                             "loss@N=1B,D=50B,p=go:0.2+java:0.3+python:0.5", "--gpu-hours", "100",
                             "--base-spec", str(FIXTURES / "mixture_recipe.yaml"), "--json", "-o", "mix.yaml")  # fmt: skip
    assert code == 0, err
    proposal = json.loads(out)
    assert proposal["law"] == "synergy_factor" and proposal["runs"]
    runs = plan_spec(tmp_path / "mix.yaml").runs
    assert sorted(r.run_id for r in runs) == sorted(r["run_id"] for r in proposal["runs"])
    assert any(len(r.mixture.proportions) > 1 for r in runs)
    assert all(sorted(r.eval.languages) == ["go", "java", "python"] for r in runs)  # each run measures every domain


def test_a_mixture_allocation_gain_is_a_target(mixed):
    db, ids = mixed
    con = store.connect(db)
    proposal = propose(con, ids["synergy_factor"], parse_target("gain@N=1B,D=50B"), 50.0,
                       base_spec=str(FIXTURES / "mixture_recipe.yaml"))  # fmt: skip
    expected = allocate(con, ids["synergy_factor"], 50e9, 1e9)
    con.close()
    assert expected.gain > 1e-4 and proposal.value == pytest.approx(expected.gain, rel=1e-6)
    assert proposal.runs and proposal.gpu_hours <= 50 and proposal.left < 1.0


def test_a_mixture_law_parameter_is_a_target(mixed):
    db, ids = mixed
    con = store.connect(db)
    proposal = propose(con, ids["paper"], parse_target("param:(mixture).gamma"), 50.0,
                       base_spec=str(FIXTURES / "mixture_recipe.yaml"))  # fmt: skip
    gamma = con.execute("SELECT value FROM fit_params WHERE fit_id = ? AND name = '(mixture).gamma'",
                        [ids["paper"]]).fetchone()[0]  # fmt: skip
    con.close()
    assert proposal.value == pytest.approx(gamma)
    assert proposal.runs and proposal.left < 1.0


def test_a_regression_fit_has_nothing_to_design_for(mixed):
    db, ids = mixed
    con = store.connect(db)
    with pytest.raises(CodescaleError, match="regression baseline: it has no parameters"):
        propose(con, ids["regression"], parse_target("loss@N=1B,D=50B"), 10.0)
    con.close()


@pytest.mark.parametrize(
    "target, message",
    [
        ("loss@N=3B", "give both N= and D="),
        ("loss:python@N=3B,D=big", "D: expected a number"),
        ("gain:python@N=1B,D=1B", "drop the domain"),
        ("size@N=1B,D=1B", "not a target"),
        ("param:", "name the parameter"),
    ],
)
def test_a_malformed_target_is_a_clear_error(target, message):
    with pytest.raises(CodescaleError, match=message) as err:
        parse_target(target)
    assert "loss[:DOMAIN]@N=SIZE" in err.value.render()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--target", "loss:rust@N=1B,D=10B"], "the fit has no language rust"),
        (["--target", "param:python.gamma"], "unknown parameter 'gamma'"),
        (["--target", "param:alpha"], "say which language"),
        (["--target", "param:go.alpha", "--gpu-hours", "0"], "--gpu-hours must be a positive number"),
        (["--target", "param:go.alpha", "--fit", "nosuchfit"], "no fit 'nosuchfit'"),
    ],
)
def test_bad_input_exits_2_with_a_located_message(work, capsys, args, message):
    _, db = work
    base = {"--fit": BATCH, "--gpu-hours": "10"}
    given = dict(zip(args[::2], args[1::2]))
    argv = ["--db", str(db)] + [x for k, v in {**base, **given}.items() for x in (k, v)]
    code, _, err = run_cli(capsys, *argv)
    assert code == 2 and message in err and "Traceback" not in err


def test_a_base_spec_that_is_not_there_is_named(work, capsys):
    _, db = work
    code, _, err = run_cli(capsys, "--db", str(db), "--fit", BATCH, "--target", "param:go.alpha", "--gpu-hours", "10",
                           "--base-spec", "missing.yaml")  # fmt: skip
    assert code == 2 and "missing.yaml" in err and "cannot read the spec" in err


def test_grid_runs_longer_than_the_recipes_time_limit_are_dropped_and_counted(work, capsys, tmp_path):
    """study.yaml keeps the default 2,880-minute limit: the 3.1B x 64B point (about 7,200 minutes on 8 GPUs) is
    dropped for that, by name of the reason, and the other grid points still compile and can be proposed."""
    from codescale.compiler.cluster import estimated_minutes, run_shape

    _, db = work
    code, out, _ = run_cli(capsys, "--db", str(db), "--fit", BATCH, "--target", "loss:python@N=3.1B,D=64B",
                           "--gpu-hours", "5000", "--json", "-o", "long.yaml")  # fmt: skip
    assert code == 0
    proposal = json.loads(out)
    assert proposal["dropped"]["longer than the recipe's cluster.time_limit_min"] >= 1
    assert "does not compile" not in proposal["dropped"]
    runs = plan_spec(tmp_path / "long.yaml").runs  # the real limit: the written spec compiles
    assert sorted(r.run_id for r in runs) == sorted(r["run_id"] for r in proposal["runs"])
    assert all(estimated_minutes(r, run_shape(r)) <= r.cluster.time_limit_min == 2880 for r in runs)


def test_a_budget_no_candidate_fits_proposes_nothing_and_exits_1(work, capsys, tmp_path):
    _, db = work
    code, out, _ = run_cli(capsys, "--db", str(db), "--fit", BATCH, "--target", "param:go.alpha", "--gpu-hours", "0.01",
                           "-o", "none.yaml")  # fmt: skip
    assert code == 1 and "proposed: 0 runs" in out and "no candidate fits the budget" in out
    assert not (tmp_path / "none.yaml").exists()


def test_proposed_runs_shrink_the_error_of_a_refit(work):
    """One simulated round: the refit on seed + proposed runs predicts the target closer to the truth than the seed
    fit, and its delta-method sd lands near the proposal's expectation (within 3x either way)."""
    _, db = work
    con = store.connect(db)
    target = parse_target("loss:python@N=3.1B,D=64B")
    proposal = propose(con, BATCH, target, 150.0, base_spec=str(FIXTURES / "study.yaml"))
    with_runs = con.execute("SELECT count(*) FROM runs").fetchone()[0]
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        write_spec(proposal, Path(tmp) / "next.yaml")
        simulate_plan(con, plan_spec(Path(tmp) / "next.yaml").to_file(), presets.paper_truth(), noise=0.005, seed=1)
    assert con.execute("SELECT count(*) FROM runs").fetchone()[0] == with_runs + len(proposal.runs)
    refit = fit_groups(con, kind="chinchilla", view="final_loss", where="language = 'python'", group_expr="language",
                       group_key="language", label_expr="language", n_expr=N_COLUMNS["params_non_embedding"],
                       d_expr="coalesce(language_tokens, tokens)", settings=FitSettings(grid="coarse", bootstrap=20),
                       batch="refit", extra_settings={"n_column": "params_non_embedding", "d_column": "language"})  # fmt: skip
    after = propose(con, "refit", target, 1.0, base_spec=str(FIXTURES / "study.yaml"))
    con.close()
    law = presets.paper_truth()["languages"]["python"]
    truth = presets.mono_loss(law, 3.1, 64.0)
    assert abs(after.value - truth) < abs(proposal.value - truth)
    expected_sd = proposal.sd_delta * np.sqrt(proposal.left)
    assert expected_sd / 3 < after.sd_delta < expected_sd * 3
    assert refit[0].n_runs == 9 + len(proposal.runs)
