"""Generated programs are real code: each language's own compiler accepts a sample, and rejects a broken program.

Marked ``toolchain``; a language whose tools are not installed is skipped with the reason (``pytest -ra`` lists it).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from codescale.core.domains import BY_ID, LANGUAGE_IDS
from codescale.mixtures.synthetic import generate_programs
from codescale.mixtures.synthetic.toolchains import check_programs, missing_toolchain

pytestmark = pytest.mark.toolchain

BROKEN = Path(__file__).parent / "fixtures" / "synthetic" / "broken"
SAMPLE = list(generate_programs(5, seed=2024))


def require(language: str) -> None:
    reason = missing_toolchain(language)
    if reason is not None:
        pytest.skip(reason)


def broken_program(language: str) -> str:
    (path,) = [p for p in BROKEN.iterdir() if p.suffix == BY_ID[language].extension]
    return path.read_text()


@pytest.mark.parametrize("language", LANGUAGE_IDS)
def test_generated_programs_compile_and_a_broken_one_does_not(language: str):
    require(language)
    verdicts = check_programs(language, [group[language] for group in SAMPLE] + [broken_program(language)])
    failures = [v.diagnostics for v in verdicts[:-1] if not v.ok]
    assert not failures, failures[0]
    assert not verdicts[-1].ok and verdicts[-1].diagnostics


def test_generated_python_programs_print_one_line_per_function():
    require("python")
    sources = [group["python"] for group in SAMPLE]
    for source, verdict in zip(sources, check_programs("python", sources, run=True)):
        assert verdict.ok, verdict.diagnostics
        functions = len(re.findall(r"^def ", source, re.M)) - 1  # all but main
        assert len(verdict.output.splitlines()) == functions


def test_generated_javascript_programs_run():
    require("javascript")
    for verdict in check_programs("javascript", [group["javascript"] for group in SAMPLE], run=True):
        assert verdict.ok, verdict.diagnostics
        assert verdict.output.strip()
