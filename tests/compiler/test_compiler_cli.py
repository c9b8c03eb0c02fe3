"""The compiler's commands end to end: validate, plan (table and --json), compile, schema, diff."""

import json
from pathlib import Path

from codescale.core.cli import main

DEMO = str(Path(__file__).parent / "fixtures" / "cli_pairing.yaml")  # three runs, independent of the demo


def test_plan_prints_a_row_per_run_and_totals(capsys):
    assert main(["plan", DEMO]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == [
        "run_id",
        "langs",
        "params",
        "shape",
        "L/d/h/ffn",
        "tokens",
        "steps",
        "micro×acc",
        "GiB/GPU",
        "FLOPs",
        "GPU-h",
    ]
    rows = [line for line in out if line.startswith("pairing-")]
    assert [r.split()[0].rsplit("-", 1)[0] for r in rows] == ["pairing-none", "pairing-direct", "pairing-prompt"]
    assert out[-1].startswith("totals: 3 runs, ") and "GPU-hours of 1 budgeted" in out[-1]


def test_plan_json_is_the_plan_file_object(capsys):
    assert main(["plan", DEMO, "--json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert plan["format"] == "codescale.plan/1" and plan["totals"]["runs"] == 3
    assert plan["totals"]["tokens"] == sum(r["training"]["tokens"] for r in plan["runs"])


def test_compile_writes_the_contract_layout(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["compile", DEMO, "-o", str(out), "--corpus", "cat.yaml", "--prepared", str(tmp_path / "prep")]) == 0
    plan = json.loads((out / "plan.json").read_text())
    for run in plan["runs"]:
        run_dir = out / "runs" / run["run_id"]
        assert json.loads((run_dir / "run.json").read_text()) == run
        mixture = json.loads((run_dir / "mixture.json").read_text())
        assert mixture["format"] == "codescale.mixture/1" and mixture["run_id"] == run["run_id"]
        assert mixture["tokens_per_language"] == run["mixture"]["tokens_per_language"]
        assert sum(mixture["tokens_per_language"].values()) == mixture["total_tokens"] == run["training"]["tokens"]
        assert mixture["prepared"] == str(tmp_path / "prep") == run["corpus"]["prepared"]
        assert run["corpus"]["catalog"] == str(Path("cat.yaml").resolve())
        assert run["paths"] == {
            "run_dir": str(run_dir),
            "job_module": str(out / "jobs.py"),
            "job_function": "job_" + run["run_id"].replace("-", "_"),
        }
    jobs = (out / "jobs.py").read_text()
    compile(jobs, "jobs.py", "exec")
    assert all(f"def {r['paths']['job_function']}():" in jobs for r in plan["runs"])
    assert str(tmp_path / "prep" / "tokenizer") in jobs
    assert not list(out.rglob("*.tmp"))


def test_recompiling_keeps_what_runs_already_wrote(tmp_path):
    out = tmp_path / "out"
    assert main(["compile", DEMO, "-o", str(out)]) == 0
    run_dir = next((out / "runs").iterdir())
    (run_dir / "metrics.jsonl").write_text('{"kind": "train"}\n')
    before = (run_dir / "run.json").read_text()
    assert main(["compile", DEMO, "-o", str(out)]) == 0
    assert (run_dir / "metrics.jsonl").read_text() == '{"kind": "train"}\n'
    assert (run_dir / "run.json").read_text() == before


def test_failed_compile_writes_nothing(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text(Path(DEMO).read_text().replace("seq_len: 128", "seq_len: 0"))
    assert main(["compile", str(bad), "-o", str(tmp_path / "out")]) == 2
    assert not (tmp_path / "out").exists()
    assert "training.seq_len: Input should be greater than or equal to 8" in capsys.readouterr().err


def test_schema_documents_every_field(capsys):
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["title"] == "codescale spec" and "mixture" in schema["required"]
    for name, model in schema["$defs"].items():
        for field, prop in model.get("properties", {}).items():
            assert prop.get("description"), f"{name}.{field} has no description"


def test_diff_lists_changed_fields(tmp_path, capsys):
    spec = tmp_path / "s.yaml"
    spec.write_text(Path(DEMO).read_text())
    assert main(["compile", str(spec), "-o", str(tmp_path / "a")]) == 0
    spec.write_text(Path(DEMO).read_text().replace("lr: 1.0e-2", "lr: 1.0e-3"))
    assert main(["compile", str(spec), "-o", str(tmp_path / "b")]) == 0
    capsys.readouterr()
    assert main(["diff", str(tmp_path / "a"), str(tmp_path / "b" / "plan.json")]) == 0
    out = capsys.readouterr().out
    assert "    training.lr: 0.01 -> 0.001" in out
    assert out.strip().endswith("0 added, 0 removed, 3 changed, 0 unchanged")


def test_diff_refuses_a_file_that_is_not_a_plan(tmp_path, capsys):
    (tmp_path / "x.json").write_text('{"format": "codescale.run/1", "runs": []}')
    assert main(["diff", str(tmp_path / "x.json"), str(tmp_path / "x.json")]) == 2
    assert "format: format is 'codescale.run/1', expected 'codescale.plan/1'" in capsys.readouterr().err
