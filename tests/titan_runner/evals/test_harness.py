"""The harness judges real programs with the real toolchains: the built-in suite's reference solutions pass in every
language whose toolchain is installed, deliberately wrong ones fail, and each outcome is classified.

Languages whose toolchain is missing skip with the reason (CI installs all seven). The 154 reference programs are
judged in one harness call, batched per language, with two workers.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codescale.core.domains import LANGUAGE_IDS
from codescale.titan_runner.evals.harness import Harness, HarnessLimits, Program, outcome_counts, toolchain_problem
from codescale.titan_runner.evals.sandbox import Limits
from codescale.titan_runner.evals.suites import builtin_suite, read_jsonl_suite

pytestmark = pytest.mark.toolchain
FIXTURES = Path(__file__).parent / "fixtures"

WRONG_LEAP_YEAR = {  # compiles, but calls 1900 and 2100 leap years
    "python": "    return year % 4 == 0\n",
    "java": "        return year % 4 == 0;\n",
    "javascript": "  return year % 4 === 0;\n}\n",
    "typescript": "  return year % 4 === 0;\n}\n",
    "csharp": "        return year % 4 == 0;\n",
    "go": "\treturn year%4 == 0\n}\n",
    "rust": "    year % 4 == 0\n",
}


def _skip_without(language: str) -> None:
    problem = toolchain_problem(language)
    if problem:
        pytest.skip(problem)


@pytest.fixture(scope="module")
def builtin_verdicts(tmp_path_factory):
    """Every reference solution (as a model would produce it: cut at the first stop sequence) and one wrong
    solution per language, judged in one call."""
    suite = builtin_suite()
    programs = [Program(p.key, p.language, p.program(p.truncate(p.reference + p.tests))) for p in suite.problems]
    leap = {p.language: p for p in suite.problems if p.task == "leap_year"}
    programs += [Program(f"wrong/{lang}", lang, leap[lang].program(body)) for lang, body in WRONG_LEAP_YEAR.items()]
    with Harness(workers=2, work_dir=tmp_path_factory.mktemp("harness")) as harness:
        verdicts = harness.check(programs)
    return {v.key: v for v in verdicts}


@pytest.mark.slow
@pytest.mark.parametrize("language", LANGUAGE_IDS)
def test_every_reference_solution_of_the_builtin_suite_passes(builtin_verdicts, language):
    _skip_without(language)
    verdicts = [v for key, v in builtin_verdicts.items() if v.language == language and not key.startswith("wrong/")]
    assert len(verdicts) == 22
    failures = {v.key: (v.outcome, v.detail) for v in verdicts if not v.passed}
    assert failures == {}


@pytest.mark.slow
@pytest.mark.parametrize("language", LANGUAGE_IDS)
def test_a_deliberately_wrong_solution_fails(builtin_verdicts, language):
    _skip_without(language)
    verdict = builtin_verdicts[f"wrong/{language}"]
    assert verdict.outcome == "failed", verdict.detail


def test_multipl_e_problems_pass_with_a_right_completion_and_fail_with_a_wrong_one(tmp_path):
    """Problems in MultiPL-E's own conventions: Java ``assert`` (run with -ea), C# ``Debug.Assert`` (which Mono
    reports on stderr with exit status 0), Go ``_test`` packages with ``testing.T``, Node's ``assert`` in
    JavaScript and TypeScript."""
    suite = read_jsonl_suite(FIXTURES / "multipl_e_add.jsonl")
    solutions = json.loads((FIXTURES / "multipl_e_add_solutions.json").read_text())
    available = [p for p in suite.problems if not toolchain_problem(p.language)]
    programs = []
    for problem in available:
        written = solutions[problem.task] + problem.stop[0] + "more text the model went on with"
        programs.append(Program(problem.task, problem.language, problem.program(problem.truncate(written))))
        wrong = solutions[problem.task].replace("x + y", "x - y")
        programs.append(Program(f"{problem.task}/wrong", problem.language, problem.program(problem.truncate(wrong))))
    with Harness(workers=2, work_dir=tmp_path) as harness:
        verdicts = {v.key: v for v in harness.check(programs)}
    for problem in available:
        assert verdicts[problem.task].outcome == "passed", verdicts[problem.task].detail
        assert verdicts[f"{problem.task}/wrong"].outcome == "failed", verdicts[f"{problem.task}/wrong"].detail


def test_outcomes_are_classified(tmp_path):
    cases = {
        "passed": Program("passed", "python", "print('hello')\n", expected_stdout="hello\n"),
        "wrong output": Program("wrong output", "python", "print('hullo')\n", expected_stdout="hello\n"),
        "exception": Program("exception", "python", "raise RuntimeError('boom')\n"),
        "syntax": Program("syntax", "python", "def broken(:\n"),
        "abort": Program("abort", "python", "import os\nos.abort()\n"),
        "cpu": Program("cpu", "python", "while True:\n    pass\n"),
    }
    if not toolchain_problem("java"):
        cases["java syntax"] = Program("java syntax", "java", "class Problem { void f( }\n")
    limits = HarnessLimits(run=Limits(cpu_s=1, wall_s=60.0, processes=64, output_bytes=4096))
    with Harness(workers=2, limits=limits, work_dir=tmp_path) as harness:
        verdicts = {v.key: v for v in harness.check(list(cases.values()))}
    assert verdicts["passed"].outcome == "passed"
    assert verdicts["wrong output"].outcome == "failed" and "wrong output" in verdicts["wrong output"].detail
    assert verdicts["exception"].outcome == "failed" and "RuntimeError: boom" in verdicts["exception"].detail
    assert verdicts["syntax"].outcome == "compile_error"
    assert verdicts["abort"].outcome == "crashed" and "SIGABRT" in verdicts["abort"].detail
    assert verdicts["cpu"].outcome == "crashed" and "cpu time" in verdicts["cpu"].detail
    if "java syntax" in verdicts:
        assert verdicts["java syntax"].outcome == "compile_error"
    assert outcome_counts(verdicts.values())["passed"] == 1


def test_a_language_without_its_toolchain_is_a_sandbox_error_not_a_failure(tmp_path, monkeypatch):
    from codescale.titan_runner.evals import harness as harness_module

    monkeypatch.setattr(harness_module, "toolchain_problem", lambda lang: "rust: toolchain not installed (needs rustc)")
    with Harness(workers=1, work_dir=tmp_path) as harness:
        (verdict,) = harness.check([Program("r", "rust", "fn main() {}\n")])
    assert verdict.outcome == "sandbox_error" and "toolchain not installed" in verdict.detail
