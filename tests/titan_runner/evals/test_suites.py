"""Suites: the built-in completion suite's files, the translation suite, and the MultiPL-E JSONL reader."""

from __future__ import annotations

import json

import pytest

from codescale.core.domains import LANGUAGE_IDS
from codescale.core.errors import CodescaleError
from codescale.mixtures.pairing import separator_text
from codescale.titan_runner.evals.suites import (
    STOP_SEQUENCES,
    builtin_suite,
    load_suite,
    read_jsonl_suite,
    split_marked,
    translation_suite,
)


def test_the_builtin_suite_has_every_task_in_all_seven_languages():
    suite = builtin_suite()
    assert len(suite.problems) == 22 * 7
    assert suite.languages == list(LANGUAGE_IDS)
    assert len({p.key for p in suite.problems}) == 154
    for problem in suite.problems:
        assert problem.prompt.strip() and problem.tests.strip() and problem.reference.strip()
        assert problem.stop == STOP_SEQUENCES[problem.language]


def test_every_reference_completion_ends_exactly_at_the_first_stop_sequence():
    """A model that writes the reference body and goes on with the tests is cut right after the body."""
    for problem in builtin_suite().problems:
        kept = problem.truncate(problem.reference + problem.tests)
        assert kept.rstrip("\n") == problem.reference.rstrip("\n"), problem.key


def test_prompts_end_with_the_signature_and_carry_a_doc_comment():
    for problem in builtin_suite().problems:
        last = problem.prompt.rstrip("\n").splitlines()[-1]
        if problem.language == "python":
            assert '"""' in problem.prompt, problem.key
        else:
            assert last.rstrip().endswith("{"), problem.key
            assert any(mark in problem.prompt for mark in ("/**", "///", "// ")), problem.key


def test_a_completion_file_without_both_markers_is_refused():
    with pytest.raises(CodescaleError, match="codescale: completion"):
        split_marked("def f():\n# codescale: tests\npass\n", "f.py")
    prompt, completion, tests = split_marked("a\n// codescale: completion\nb\n// codescale: tests\nc\n", "x.go")
    assert (prompt, completion, tests) == ("a\n", "b\n", "c\n")


def test_truncation_and_assembly_follow_multipl_e():
    problem = next(p for p in builtin_suite().problems if p.key == "reverse_string/java")
    assert problem.truncate("        return x;\n    }\n    junk") == "        return x;"
    program = problem.program("        return x;")
    assert program == problem.prompt + "        return x;\n" + problem.tests


def test_the_translation_suite_covers_42_directions_with_the_prepared_corpus_prompt():
    suite = translation_suite()
    assert len(suite.problems) == 22 * 42
    assert len({p.direction for p in suite.problems}) == 42
    problem = next(p for p in suite.problems if p.key == "two_sum/java->python")
    assert problem.kind == "translation" and problem.source_language == "java" and problem.language == "python"
    assert problem.prompt.endswith(separator_text("prompt", "java", "python"))
    assert problem.expected_stdout.startswith("target 9: 0 1")
    assert problem.program("print(1)") == "print(1)"


def test_selecting_languages_tasks_directions_and_a_limit():
    suite = builtin_suite().select(languages=["py", "rs"], limit=3)
    assert sorted(p.key for p in suite.problems) == sorted(
        f"{task}/{lang}" for task in ("fizzbuzz", "reverse_string", "palindrome") for lang in ("python", "rust")
    )
    directions = translation_suite().select(directions=["python -> java"], tasks=["two_sum"])
    assert [p.key for p in directions.problems] == ["two_sum/python->java"]
    with pytest.raises(CodescaleError, match="no task"):
        builtin_suite().select(tasks=["nope"])
    with pytest.raises(CodescaleError, match="not a direction"):
        translation_suite().select(directions=["python"])


def test_a_multipl_e_file_is_read_with_its_languages_and_stop_tokens(tmp_path):
    path = tmp_path / "humaneval-mixed.jsonl"
    rows = [
        {
            "name": "HumanEval_0_x",
            "language": "go_test.go",
            "prompt": "package x_test\n",
            "tests": "func TestX(t *testing.T) {}\n",
            "stop_tokens": ["\nfunc", "struct", "\n// "],
            "doctests": "keep",
            "original": "x.py",
        },
        {
            "name": "HumanEval_1_y",
            "language": "cs",
            "prompt": "class Problem {\n",
            "tests": "}\n",
            "stop_tokens": ["\n    }\n"],
        },
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    suite = load_suite(str(path))
    assert suite.name == "humaneval-mixed"
    assert [(p.task, p.language, p.stop) for p in suite.problems] == [
        ("HumanEval_0_x", "go", ("\nfunc", "struct", "\n// ")),
        ("HumanEval_1_y", "csharp", ("\n    }\n",)),
    ]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"name": "a", "language": "py", "prompt": 1, "tests": ""}', "string 'prompt'"),
        ('{"name": "a", "language": "cobol", "prompt": "", "tests": ""}', "not one codescale evaluates"),
        ('{"name": "a", "language": "py", "prompt": "", "tests": "", "stop_tokens": [""]}', "stop_tokens"),
    ],
)
def test_a_bad_multipl_e_line_is_a_located_error(tmp_path, line, message):
    path = tmp_path / "bad.jsonl"
    good = json.dumps({"name": "ok", "language": "py", "prompt": "", "tests": ""})
    path.write_text(good + "\n" + line + "\n")
    with pytest.raises(CodescaleError, match=message) as err:
        read_jsonl_suite(path)
    assert f"{path}:2" in err.value.render()


def test_a_translation_task_file_becomes_a_translation_suite(tmp_path):
    path = tmp_path / "pairs.jsonl"
    path.write_text(json.dumps({"id": "t1", "py": "print(1)\n", "js": "console.log(1);\n", "output": "1\n"}) + "\n")
    suite = read_jsonl_suite(path)
    assert sorted(p.key for p in suite.problems) == ["t1/javascript->python", "t1/python->javascript"]
    assert all(p.expected_stdout == "1\n" for p in suite.problems)


def test_an_unknown_suite_names_the_choices():
    with pytest.raises(CodescaleError, match="builtin or translation"):
        load_suite("humaneval")
