"""``codescale ingest``: run directories (contracts §4) into the store -- content, idempotence, damage, concurrency."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time

import pytest
from store_fixtures import eval_line, make_run_dir, run_json, train_line, write_metrics, write_status

from codescale.core.cli import main
from codescale.core.errors import CodescaleError
from codescale.laws import store
from codescale.laws.ingest import ingest_run_dirs

TRANSLATION = [(("python", "java"), True), (("python", "go"), False)]


def query(db, sql, params=None):
    con = store.connect(db, read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def test_a_finished_bilingual_run_lands_as_runs_metrics_and_evals(tmp_path):
    run_dir = make_run_dir(
        tmp_path,
        "pyjava-0001",
        languages=("python", "java"),
        seed=3,
        translation=TRANSLATION,
        final_valid_loss={"python": 0.7426, "java": 0.8490},
    )
    db = tmp_path / "s.duckdb"
    report = ingest_run_dirs(db, [run_dir])
    assert report.added == ["pyjava-0001"] and not report.problems

    assert query(
        db,
        """SELECT source, status, run_dir, languages, params, params_non_embedding, tokens, seed, steps,
                               proportions->>'java', tokens_per_language->>'python', pairing_mode, n_layers, dim
                        FROM runs""",
    ) == [
        (
            "rundir",
            "completed",
            str(run_dir),
            ["python", "java"],
            124_000_000,
            85_000_000,
            819_200,
            3,
            100,
            "0.5",
            "409600",
            "none",
            12,
            768,
        )
    ]
    # 10 train lines (every 10 steps) x (6 scalars + 2 per-language losses + 2 per-language token counts)
    assert report.metric_rows == 100
    assert query(db, "SELECT value FROM metrics WHERE step = 100 AND name = 'loss' AND language IS NULL") == [(2.3,)]
    [(java_loss,)] = query(db, "SELECT value FROM metrics WHERE step = 20 AND name = 'loss' AND language = 'java'")
    assert java_loss == pytest.approx(2.0 + 3.0 / math.sqrt(20) + 0.1)
    # eval lines at steps 50 and 100: 2 languages + 2 translation directions each; only step 100 is final
    assert report.eval_rows == 8
    assert query(db, "SELECT step, count(*) FILTER (WHERE is_final) FROM evals GROUP BY step ORDER BY step") == [
        (50, 0),
        (100, 4),
    ]
    assert query(
        db,
        """SELECT language, loss, language_tokens, proportion, params, tokens FROM final_loss
                        ORDER BY language""",
    ) == [("java", 0.8490, 409_600, 0.5, 124_000_000, 819_200), ("python", 0.7426, 409_600, 0.5, 124_000_000, 819_200)]
    assert query(db, "SELECT direction, src, tgt, language, seen, loss FROM translation_final ORDER BY direction") == [
        ("python->go", "python", "go", "go", False, 1.51),
        ("python->java", "python", "java", "java", True, 1.51),
    ]


def test_ingesting_twice_adds_nothing(tmp_path):
    make_run_dir(tmp_path, "py-0001")
    make_run_dir(tmp_path, "java-0001", languages=("java",))
    db = tmp_path / "s.duckdb"
    first = ingest_run_dirs(db, [tmp_path])
    counts = query(
        db, "SELECT (SELECT count(*) FROM runs), (SELECT count(*) FROM metrics), (SELECT count(*) FROM evals)"
    )
    second = ingest_run_dirs(db, [tmp_path])
    assert sorted(first.added) == ["java-0001", "py-0001"]
    assert second.added == [] and second.replaced == [] and len(second.unchanged) == 2
    assert second.metric_rows == 0
    assert (
        query(db, "SELECT (SELECT count(*) FROM runs), (SELECT count(*) FROM metrics), (SELECT count(*) FROM evals)")
        == counts
    )


def test_a_run_that_progressed_is_replaced_not_duplicated(tmp_path):
    db = tmp_path / "s.duckdb"
    run_dir = make_run_dir(tmp_path, "py-0001", steps_done=60)
    ingest_run_dirs(db, [run_dir])
    assert query(db, "SELECT status, step, total_steps, fraction_done FROM run_progress") == [("running", 60, 100, 0.6)]
    assert query(db, "SELECT count(*) FROM final_loss") == [(0,)]

    make_run_dir(tmp_path, "py-0001", final_valid_loss={"python": 0.75})  # the runner went on to the end
    report = ingest_run_dirs(db, [run_dir])
    assert report.replaced == ["py-0001"]
    assert query(db, "SELECT count(*), count(DISTINCT (step, name, language)) FROM metrics") == [
        (80, 80)
    ]  # 10 lines x (6 + 1 + 1)
    assert query(db, "SELECT status, step, fraction_done FROM run_progress") == [("completed", 100, 1.0)]
    assert query(db, "SELECT language, loss FROM final_loss") == [("python", 0.75)]
    assert query(db, "SELECT count(*) FROM ingest_log") == [(1,)]


def test_a_torn_last_line_is_a_warning_with_its_line_number_and_the_rest_lands(tmp_path, capsys):
    run_dir = make_run_dir(tmp_path, "py-0001", steps_done=60)
    lines_before = len((run_dir / "metrics.jsonl").read_text().splitlines())
    with (run_dir / "metrics.jsonl").open("a") as f:
        f.write('{"kind": "train", "step": 70, "tokens": 573440, "lo')  # the runner was killed mid-write
    status = main(["ingest", str(run_dir), "--db", str(tmp_path / "s.duckdb")])
    err = capsys.readouterr().err
    assert status == 0
    assert f"warning: {run_dir / 'metrics.jsonl'}:{lines_before + 1} incomplete last line" in err
    assert query(tmp_path / "s.duckdb", "SELECT max(step) FROM metrics") == [(60,)]
    [(problems,)] = query(tmp_path / "s.duckdb", "SELECT problems FROM ingest_log")
    assert "incomplete last line" in json.loads(problems)[0]


def test_corrupt_lines_are_reported_by_file_line_and_field_and_skipped(tmp_path, capsys):
    run = run_json("py-0001", steps=50)
    run_dir = tmp_path / "runs" / "py-0001"
    run_dir.mkdir(parents=True)
    (run_dir / "run.json").write_text(json.dumps(run))
    lines = [json.dumps(train_line(run, s)) for s in (10, 20, 30, 40, 50)] + [json.dumps(eval_line(run, 50))]
    lines[1] = '{"kind": "train", "step": 20, "loss": 2.6, "lr": 0.0003 GARBAGE'
    lines[3] = json.dumps({**train_line(run, 40), "loss": "diverged"})
    (run_dir / "metrics.jsonl").write_text("\n".join(lines) + "\n")
    write_status(run_dir, run, "completed", 50)

    status = main(["ingest", str(run_dir), "--db", str(tmp_path / "s.duckdb")])
    err = capsys.readouterr().err
    assert status == 1
    metrics_file = run_dir / "metrics.jsonl"
    assert f"error: {metrics_file}:2 not valid JSON" in err
    assert f"error: {metrics_file}:4 loss: expected a number, got 'diverged'" in err
    assert query(tmp_path / "s.duckdb", "SELECT DISTINCT step FROM metrics ORDER BY step") == [(10,), (30,), (50,)]
    assert query(tmp_path / "s.duckdb", "SELECT count(*) FROM final_loss") == [(1,)]


def test_a_repeated_step_keeps_the_later_line_and_says_so(tmp_path):
    run = run_json("py-0001", steps=30)
    run_dir = tmp_path / "runs" / "py-0001"
    run_dir.mkdir(parents=True)
    (run_dir / "run.json").write_text(json.dumps(run))
    write_metrics(
        run_dir,
        [
            train_line(run, 10),
            {**train_line(run, 20), "loss": 9.0},
            {**train_line(run, 20), "loss": 2.5},
            train_line(run, 30),
            eval_line(run, 30),
        ],
    )
    report = ingest_run_dirs(tmp_path / "s.duckdb", [run_dir])
    assert [p.error.line for p in report.problems] == [2]
    assert "appears again on line 3" in report.problems[0].render()
    assert query(
        tmp_path / "s.duckdb", "SELECT value FROM metrics WHERE step = 20 AND name = 'loss' AND language IS NULL"
    ) == [(2.5,)]


def test_missing_or_corrupt_run_json_skips_that_run_only(tmp_path, capsys):
    make_run_dir(tmp_path, "good-0001")
    no_run_json = make_run_dir(tmp_path, "gone-0001")
    (no_run_json / "run.json").unlink()
    broken = make_run_dir(tmp_path, "broken-0001")
    (broken / "run.json").write_text(
        '{\n  "format": "codescale.run/1",\n  "run_id": "broken-0001",\n  "languages": [\n'
    )
    wrong_type = make_run_dir(tmp_path, "typed-0001")
    run = json.loads((wrong_type / "run.json").read_text())
    run["model"]["params"] = "a lot"
    (wrong_type / "run.json").write_text(json.dumps(run))

    status = main(["ingest", str(tmp_path), "--db", str(tmp_path / "s.duckdb")])
    captured = capsys.readouterr()
    assert status == 1
    assert f"error: {no_run_json / 'run.json'} run.json is missing" in captured.err
    assert f"error: {broken / 'run.json'}:5:1 not valid JSON" in captured.err
    assert f"error: {wrong_type / 'run.json'} model.params: expected an integer, got 'a lot'" in captured.err
    assert "1 runs added" in captured.out and "3 skipped" in captured.out
    assert query(tmp_path / "s.duckdb", "SELECT run_id FROM runs") == [("good-0001",)]


def test_a_compiled_output_directory_and_globs_find_their_runs(tmp_path):
    out = tmp_path / "out"
    for run_id in ("a-0001", "b-0001", "c-0001"):
        make_run_dir(out, run_id)
    (out / "plan.json").write_text("{}")
    db = tmp_path / "s.duckdb"
    assert sorted(ingest_run_dirs(db, [out]).added) == ["a-0001", "b-0001", "c-0001"]
    report = ingest_run_dirs(tmp_path / "t.duckdb", [str(out / "runs" / "[ab]-*")])
    assert sorted(report.added) == ["a-0001", "b-0001"]


def test_a_path_that_is_no_run_directory_is_a_clear_error(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert main(["ingest", str(tmp_path / "empty"), "--db", str(tmp_path / "s.duckdb")]) == 2
    assert "not a run directory (no run.json)" in capsys.readouterr().err
    with pytest.raises(CodescaleError, match="no path matches"):
        ingest_run_dirs(tmp_path / "s.duckdb", [str(tmp_path / "nothing-*")])


def test_the_ingest_of_a_crashed_run_keeps_its_state_and_partial_curve(tmp_path):
    run_dir = make_run_dir(tmp_path, "py-0001", steps_done=40, state="failed")
    report = ingest_run_dirs(tmp_path / "s.duckdb", [run_dir])
    assert not report.problems
    assert query(tmp_path / "s.duckdb", "SELECT status, step, loss FROM run_progress") == [
        ("failed", 40, 2.0 + 3.0 / math.sqrt(40))
    ]
    assert query(tmp_path / "s.duckdb", "SELECT count(*) FROM final_loss") == [(0,)]


INGEST = [sys.executable, "-m", "codescale.core.cli", "ingest"]


def test_two_ingests_at_once_both_land_and_the_file_stays_sound(tmp_path):
    for i in range(6):
        make_run_dir(tmp_path / "left", f"left-{i:04d}", steps=400, log_every=1)
        make_run_dir(tmp_path / "right", f"right-{i:04d}", steps=400, log_every=1)
    db = str(tmp_path / "s.duckdb")
    env = {**os.environ, "CODESCALE_DB": db}
    procs = [
        subprocess.Popen(
            INGEST + [str(tmp_path / side)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for side in ("left", "right")
    ]
    results = [p.communicate(timeout=120) + (p.returncode,) for p in procs]
    assert [rc for _, _, rc in results] == [0, 0], results
    assert all("6 runs added" in out for out, _, _ in results)
    assert query(db, "SELECT count(*), count(DISTINCT run_id) FROM runs") == [(12, 12)]
    assert query(db, "SELECT count(*) FROM metrics") == [(12 * 400 * 8,)]


def test_a_busy_store_fails_with_a_message_naming_it_when_waiting_is_not_allowed(tmp_path):
    make_run_dir(tmp_path, "py-0001")
    db = tmp_path / "s.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from codescale.laws import store; "
            "c = store.connect(sys.argv[1]); print('holding', flush=True); time.sleep(3)",
            str(db),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        proc = subprocess.run(
            INGEST + [str(tmp_path), "--db", str(db), "--wait", "0.2"], capture_output=True, text=True, timeout=60
        )
    finally:
        holder.wait(timeout=30)
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"error: {db} the results store is in use by another process")
    assert "Traceback" not in proc.stderr


def test_a_completed_run_without_a_final_eval_and_an_unreadable_status_are_flagged(tmp_path):
    no_final = make_run_dir(tmp_path, "nofinal-0001")
    (no_final / "metrics.jsonl").write_text("")
    bad_status = make_run_dir(tmp_path, "status-0001")
    (bad_status / "status.json").write_text('{"state": ')
    report = ingest_run_dirs(tmp_path / "s.duckdb", [tmp_path])
    assert not report.failed
    rendered = [p.render() for p in report.problems]
    assert any(
        r.startswith(f"warning: {no_final / 'metrics.jsonl'} the run is completed but") and "no final loss" in r
        for r in rendered
    )
    assert any(
        r.startswith(f"warning: {bad_status / 'status.json'} unreadable, run state left unknown") for r in rendered
    )
    assert query(tmp_path / "s.duckdb", "SELECT run_id, status FROM runs ORDER BY run_id") == [
        ("nofinal-0001", "completed"),
        ("status-0001", None),
    ]


def test_a_directory_of_other_things_yields_only_its_run_directories(tmp_path):
    make_run_dir(tmp_path / "a", "py-0001")
    (tmp_path / "notes").mkdir()
    shelf = tmp_path / "shelf"
    shelf.mkdir()
    (tmp_path / "a" / "runs" / "py-0001").rename(shelf / "py-0001")
    (shelf / "scratch").mkdir()
    report = ingest_run_dirs(tmp_path / "s.duckdb", [shelf])
    assert report.added == ["py-0001"] and not report.problems


def test_an_ingest_killed_midway_leaves_the_store_whole(tmp_path):
    db = tmp_path / "s.duckdb"
    ingest_run_dirs(db, [make_run_dir(tmp_path / "old", "old-0001")])
    for i in range(4):
        make_run_dir(tmp_path / "new", f"new-{i:04d}", steps=20_000, log_every=1)
    proc = subprocess.Popen(
        INGEST + [str(tmp_path / "new"), "--db", str(db)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    time.sleep(1.5)  # somewhere in reading or writing; whichever it is, the store must be old or old + all new
    proc.kill()
    proc.wait(timeout=30)
    runs = query(db, "SELECT run_id FROM runs ORDER BY run_id")
    new_rows = query(db, "SELECT count(*) FROM metrics WHERE run_id LIKE 'new-%'")[0][0]
    assert (runs, new_rows) in [
        ([("old-0001",)], 0),
        ([("new-0000",), ("new-0001",), ("new-0002",), ("new-0003",), ("old-0001",)], 4 * 20_000 * 8),
    ]
    assert query(db, "SELECT count(*) FROM metrics WHERE run_id = 'old-0001'") == [(80,)]
    report = ingest_run_dirs(db, [tmp_path / "new"])  # and the next ingest completes the job
    assert len(report.added) + len(report.unchanged) == 4
    assert query(db, "SELECT count(*) FROM metrics") == [(80 + 4 * 20_000 * 8,)]


def test_repetition_pools_of_mixture_json_become_unique_tokens(tmp_path):
    from codescale.core.contracts import MixtureManifest, Run

    run_dir = make_run_dir(tmp_path, "self2-0", languages=("python",))
    run = Run.model_validate(json.loads((run_dir / "run.json").read_text()))
    (run_dir / "mixture.json").write_text(MixtureManifest.for_run(run, {"python": 409_600}).to_json())
    make_run_dir(tmp_path, "fresh-0", languages=("java",))  # no mixture.json: fresh data
    db = tmp_path / "s.duckdb"
    ingest_run_dirs(db, [tmp_path])
    con = store.connect(db, read_only=True)
    rows = con.execute("SELECT run_id, language, tokens, unique_tokens FROM run_languages ORDER BY run_id").fetchall()
    con.close()
    assert rows == [("fresh-0", "java", 819_200, None), ("self2-0", "python", 819_200, 409_600)]


def test_a_second_directory_with_the_same_run_id_is_refused_and_never_a_stale_skip(tmp_path, capsys):
    db = tmp_path / "s.duckdb"
    a = make_run_dir(tmp_path / "a", "py-0001", final_valid_loss={"python": 0.75})
    b = make_run_dir(tmp_path / "b", "py-0001", final_valid_loss={"python": 0.5})  # the same run id, other results
    assert ingest_run_dirs(db, [a]).added == ["py-0001"]
    second = ingest_run_dirs(db, [b])
    assert second.skipped == [str(b)] and second.failed
    assert f"run 'py-0001' is already in the store from {a}, which still holds it" in second.problems[0].render()
    third = ingest_run_dirs(db, [a])
    assert third.unchanged == [str(a)] and not third.problems
    assert query(db, "SELECT run_dir FROM runs") == [(str(a),)]
    assert query(db, "SELECT loss FROM final_loss") == [(0.75,)]  # a's data, as the report says
    assert main(["ingest", str(b), "--db", str(db)]) == 1
    assert "pass --replace to take it from this one" in capsys.readouterr().err


def test_replace_takes_the_run_from_the_other_directory_and_the_first_is_then_refused(tmp_path):
    db = tmp_path / "s.duckdb"
    a = make_run_dir(tmp_path / "a", "py-0001", final_valid_loss={"python": 0.75})
    b = make_run_dir(tmp_path / "b", "py-0001", final_valid_loss={"python": 0.5})
    ingest_run_dirs(db, [a])
    replaced = ingest_run_dirs(db, [b], replace=True)
    assert (
        replaced.replaced == ["py-0001"] and "replaced by this directory (--replace)" in replaced.problems[0].render()
    )
    assert query(db, "SELECT loss FROM final_loss") == [(0.5,)]
    assert query(db, "SELECT run_dir FROM ingest_log") == [(str(b),)]
    again = ingest_run_dirs(db, [a])  # a no longer is where the store's copy came from: not "unchanged"
    assert again.skipped == [str(a)] and f"already in the store from {b}" in again.problems[0].render()
    assert query(db, "SELECT loss FROM final_loss") == [(0.5,)]


def test_a_moved_run_directory_takes_over_with_a_warning(tmp_path):
    import shutil

    db = tmp_path / "s.duckdb"
    old = make_run_dir(tmp_path / "scratch", "py-0001", final_valid_loss={"python": 0.75})
    ingest_run_dirs(db, [old])
    new = tmp_path / "project" / "py-0001"
    new.parent.mkdir()
    shutil.move(old, new)
    report = ingest_run_dirs(db, [new])
    assert report.replaced == ["py-0001"] and not report.failed
    assert "that directory no longer holds it" in report.problems[0].render()
    assert query(db, "SELECT run_dir FROM runs") == [(str(new),)]


def test_two_directories_with_one_run_id_in_one_call_keep_the_first_in_argument_order(tmp_path):
    db = tmp_path / "s.duckdb"
    a = make_run_dir(tmp_path / "a", "py-0001", final_valid_loss={"python": 0.75})
    b = make_run_dir(tmp_path / "b", "py-0001", final_valid_loss={"python": 0.5})
    for _ in range(2):  # the second time a is unchanged, and b is still the copy refused
        report = ingest_run_dirs(db, [a, b])
        assert report.skipped == [str(b)] and "is also in" in report.problems[-1].render()
    assert query(db, "SELECT loss FROM final_loss") == [(0.75,)]
