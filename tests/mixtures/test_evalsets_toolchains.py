"""The hand-written evaluation set compiles in every language, and its programs print the expected output.

All 22 tasks are compiled; a spread-out sample of them is also run (running all of them in seven languages costs over a
minute) and must print exactly the ``output`` recorded in the index. Marked ``toolchain``; languages whose tools are
missing are skipped with the reason.
"""

from __future__ import annotations

import pytest

from codescale.core.domains import LANGUAGE_IDS
from codescale.mixtures.evalsets import expected_outputs, translation_tasks
from codescale.mixtures.synthetic.toolchains import check_programs, missing_toolchain

pytestmark = pytest.mark.toolchain

TASKS = translation_tasks()
RUN_EVERY = 4  # run tasks 0, 4, 8, ...


@pytest.mark.parametrize("language", LANGUAGE_IDS)
def test_every_task_compiles_and_sampled_tasks_print_the_expected_output(language: str):
    reason = missing_toolchain(language)
    if reason is not None:
        pytest.skip(reason)
    sampled = range(0, len(TASKS), RUN_EVERY)
    verdicts = check_programs(language, [task[language] for task in TASKS], run=sampled)
    compile_failures = {task["id"]: v.diagnostics for task, v in zip(TASKS, verdicts) if not v.ok}
    assert not compile_failures
    expected = expected_outputs()
    for i in sampled:
        assert verdicts[i].output == expected[TASKS[i]["id"]], TASKS[i]["id"]


def test_expected_outputs_cover_every_task():
    outputs = expected_outputs()
    assert list(outputs) == [task["id"] for task in TASKS]
    assert all(text.endswith("\n") and text.strip() for text in outputs.values())
