"""The analysis commands end to end through `codescale`: simulate, fit, validate-law, allocate, report."""

from __future__ import annotations

import json
import re

import pytest

from codescale.core.cli import main
from codescale.laws.simulate import grid_plan


@pytest.fixture
def db(tmp_path, monkeypatch):
    path = tmp_path / "cli.duckdb"
    monkeypatch.setenv("CODESCALE_DB", str(path))
    plan = grid_plan("mono", [1e8, 3e8, 1e9, 3e9], [2e9, 8e9, 32e9], [{"go": 1}, {"java": 1}])
    plan_path = tmp_path / "plan.json"
    plan_path.write_text(plan.to_json())
    assert main(["simulate", str(plan_path), "--noise", "0.003"]) == 0
    return path


def test_fit_chinchilla_prints_parameters_with_intervals_per_language(db, capsys):
    capsys.readouterr()
    assert main(["fit", "chinchilla", "--grid", "coarse", "--bootstrap", "20", "--units", "billions"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"chinchilla-go-\w+ +language=go +n_runs=12", out)
    assert re.search(r"alpha +0\.8\d* +\[", out)  # go's alpha_N is 0.845 in the paper preset
    assert "batch " in out


def test_fit_then_validate_law_by_id(db, capsys):
    main(["fit", "chinchilla", "--grid", "coarse", "--languages", "java"])
    fit_id = re.search(r"(chinchilla-java-\w+)", capsys.readouterr().out).group(1)
    assert main(["validate-law", fit_id, "--fraction", "0.25"]) == 0
    out = capsys.readouterr().out
    assert "mean rel" in out and "(overall)" in out and "held out the largest-compute 25%" in out


def test_bad_input_exits_2_with_one_line(db, capsys):
    assert main(["fit", "chinchilla", "--where", "loss > 100"]) == 2
    assert "empty selection" in capsys.readouterr().err
    assert main(["fit", "chinchilla", "--languages", "///"]) == 2
    assert "'///' is not a usable domain name" in capsys.readouterr().err
    assert main(["fit", "chinchilla", "--where", "nonsense_col = 1"]) == 2
    assert "--where" in capsys.readouterr().err
    assert main(["validate-law", "chinchilla-nope-123"]) == 2
    assert main(["allocate", "nope", "--tokens", "1B", "--size", "lots"]) == 2


def test_allocate_from_per_language_fits_and_report(db, tmp_path, capsys):
    main(["fit", "chinchilla", "--grid", "coarse", "--bootstrap", "10", "--units", "billions"])
    batch = re.search(r"batch (\w+):", capsys.readouterr().out).group(1)
    out_spec = tmp_path / "next.yaml"
    assert main(["allocate", batch, "--tokens", "100B", "--size", "1B", "-o", str(out_spec)]) == 0
    out = capsys.readouterr().out
    assert "predicted gain" in out and out_spec.exists()
    assert json.loads((tmp_path / "next.allocation.json").read_text())["size"] == 1_000_000_000
    allocation_id = re.search(r"recorded as (alloc-\w+)", out).group(1)
    assert main(["sql", "--format", "json", "SELECT allocation_id, size, spec_file FROM allocations"]) == 0
    recorded = json.loads(capsys.readouterr().out)
    assert recorded == [{"allocation_id": allocation_id, "size": 1e9, "spec_file": str(out_spec.resolve())}]
    assert main(["report", "-o", str(tmp_path / "rep")]) == 0
    assert (tmp_path / "rep" / "loss_vs_n.png").exists()


def test_allocate_options_become_share_bounds_weights_and_data_caps(db, tmp_path, capsys):
    main(["fit", "chinchilla", "--grid", "coarse"])
    batch = re.search(r"batch (\w+):", capsys.readouterr().out).group(1)
    base = ["allocate", batch, "--tokens", "100B", "--size", "1B", "--starts", "4",
            "--allocation-file", str(tmp_path / "allocation.json")]  # fmt: skip
    # go may have 10B distinct tokens x 4 epochs = 40% of the budget; java at most 60%: the only feasible point
    assert main([*base, "--min-share", "0.3", "--max-share", "java=0.6", "--weights", "go=2,java=1",
                 "--available", "go=10B", "--max-epochs", "4"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert re.search(r"^go +40\.00% ", out, re.M) and re.search(r"^java +60\.00% ", out, re.M)
    for flags, message in [(["--min-share", "lots"], "--min-share: 'lots' is not a number"),
                           (["--available", "go"], "--available entry 'go' is not DOMAIN=VALUE"),
                           (["--available", "go=many"], "--available go=many"),
                           (["--max-share", "rust=0.5"], "rust is not one of the allocated domains")]:  # fmt: skip
        assert main([*base, *flags]) == 2, flags
        assert message in capsys.readouterr().err, flags


def test_a_missing_store_is_an_error_not_an_empty_file(tmp_path, capsys):
    missing = tmp_path / "nope.duckdb"
    assert main(["fit", "chinchilla", "--db", str(missing)]) == 2
    assert "no results store here" in capsys.readouterr().err
    assert not missing.exists()


def test_the_per_language_law_discounts_repeated_tokens_with_repetition(tmp_path, capsys):
    import numpy as np

    from codescale.laws.repetition import effective_tokens

    rows = []
    for n in (1e8, 2e8, 4e8, 8e8, 1.6e9):
        for d in (2e9, 8e9, 32e9, 128e9):
            for u in (d, d / 8):  # fresh data, and the same budget drawn from an eighth of the tokens (8 epochs)
                loss = 1.8 + 400 * n**-0.34 + 2000 * float(effective_tokens(d, u)) ** -0.37
                rows.append(f"{n:.0f},{d:.0f},{u:.0f},1,{loss:.6f}")
    source = tmp_path / "repeat.csv"
    source.write_text("N,D,u:python,p:python,loss:python\n" + "\n".join(rows) + "\n")
    db = str(tmp_path / "r.duckdb")
    assert (
        main(["import", str(source), "--proportions", "p:*", "--losses", "loss:*", "--unique", "u:*", "--db", db]) == 0
    )
    objectives = {}
    for flag in ([], ["--repetition"]):
        assert main(["fit", "chinchilla", "--grid", "coarse", "--where", "true", "--db", db, *flag]) == 0
        out = capsys.readouterr().out
        objectives[bool(flag)] = float(re.search(r"objective=(\S+)", out).group(1))
        if flag:
            assert re.search(r"beta +0\.37\d*\s", out) and re.search(r"E +1\.8\d*\s", out)  # the truth, recovered
    assert objectives[True] < 1e-3 * objectives[False]
    assert np.isfinite(objectives[True])
