"""The hand-written translation evaluation set: shape, stable order, and independence from the generator."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from codescale.core.domains import LANGUAGE_IDS
from codescale.mixtures import evalsets
from codescale.mixtures.evalsets import translation_task_ids, translation_tasks
from codescale.mixtures.synthetic import generate_programs

TASKS_DIR = Path(evalsets.__file__).parent / "tasks"
_IMPORT_OR_BRACE = re.compile(r'[{}()]|import \(|(import |package |using )?"?[\w./]+"?;?')


def code_windows(code: str, width: int = 4) -> set[str]:
    """Every run of ``width`` consecutive meaningful lines (no blank, brace-only or import lines), stripped."""
    lines = [line.strip() for line in code.splitlines()]
    lines = [line for line in lines if line and not _IMPORT_OR_BRACE.fullmatch(line)]
    return {"\n".join(lines[i : i + width]) for i in range(len(lines) - width + 1)}


def test_at_least_twenty_tasks_each_in_all_seven_languages():
    tasks = translation_tasks()
    assert len(tasks) >= 20
    for task in tasks:
        assert set(task) == {"id", "description", *LANGUAGE_IDS}
        assert task["description"].strip()
        assert all(task[lang].strip() for lang in LANGUAGE_IDS), task["id"]
        assert len({task[lang] for lang in LANGUAGE_IDS}) == 7


def test_order_is_the_index_order_and_stable():
    index = yaml.safe_load((TASKS_DIR / "index.yaml").read_text())
    ids = [entry["id"] for entry in index["tasks"]]
    assert [task["id"] for task in translation_tasks()] == ids == translation_task_ids()
    assert len(set(ids)) == len(ids)
    assert translation_tasks() == translation_tasks()


def test_every_task_directory_is_listed_in_the_index():
    listed = set(translation_task_ids())
    assert {path.name for path in TASKS_DIR.iterdir() if path.is_dir() and path.name != "__pycache__"} == listed


def test_callers_get_their_own_copies():
    first = translation_tasks()
    first[0]["python"] = "mutated"
    assert translation_tasks()[0]["python"] != "mutated"


def test_each_program_has_an_entry_point():
    for task in translation_tasks():
        assert 'if __name__ == "__main__":' in task["python"], task["id"]
        assert "public static void main(String[] args)" in task["java"], task["id"]
        assert "static void Main()" in task["csharp"], task["id"]
        assert task["go"].startswith("package main\n") and "func main() {" in task["go"], task["id"]
        assert "fn main() {" in task["rust"], task["id"]
        assert "console.log(" in task["javascript"] and "console.log(" in task["typescript"], task["id"]


def test_python_solutions_are_valid_python():
    for task in translation_tasks():
        compile(task["python"], f"{task['id']}/solution.py", "exec")


def test_no_code_of_the_evaluation_set_appears_in_generated_programs():
    generated = list(generate_programs(400, seed=0))
    for lang in LANGUAGE_IDS:
        evaluation = set().union(*(code_windows(task[lang]) for task in translation_tasks()))
        produced = set().union(*(code_windows(group[lang]) for group in generated))
        assert not evaluation & produced, lang


def test_no_evaluation_function_name_is_generated():
    def python_functions(code: str) -> set[str]:
        return set(re.findall(r"^def (\w+)\(", code, re.M))

    evaluation_names = set().union(*(python_functions(task["python"]) for task in translation_tasks()))
    generated_names = set().union(*(python_functions(group["python"]) for group in generate_programs(400, seed=0)))
    assert evaluation_names and not evaluation_names & generated_names
