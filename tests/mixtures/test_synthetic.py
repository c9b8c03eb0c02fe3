"""The synthetic parallel-program generator: determinism, variety, per-language idioms."""

from __future__ import annotations

import re

import pytest

from codescale.core.domains import LANGUAGE_IDS
from codescale.core.errors import CodescaleError
from codescale.mixtures.synthetic import generate_programs
from codescale.mixtures.synthetic.naming import camel, pascal
from codescale.mixtures.synthetic.vocabulary import DOMAINS, RESERVED_WORDS


def test_same_seed_gives_identical_programs():
    assert list(generate_programs(30, seed=7)) == list(generate_programs(30, seed=7))


def test_different_seeds_give_different_programs():
    first = [g["python"] for g in generate_programs(20, seed=1)]
    second = [g["python"] for g in generate_programs(20, seed=2)]
    assert not set(first) & set(second)


def test_a_smaller_request_is_a_prefix_of_a_larger_one():
    assert list(generate_programs(5, seed=3)) == list(generate_programs(40, seed=3))[:5]


def test_each_group_has_an_id_and_seven_distinct_renderings():
    for index, group in enumerate(generate_programs(10, seed=0)):
        assert group["id"] == f"prog-{index:06d}"
        assert set(group) == {"id", *LANGUAGE_IDS}
        assert len({group[lang] for lang in LANGUAGE_IDS}) == 7
        assert all(group[lang].endswith("\n") and len(group[lang]) > 200 for lang in LANGUAGE_IDS)


def test_languages_selects_renderings_and_accepts_aliases():
    full = list(generate_programs(4, seed=5))
    subset = list(generate_programs(4, seed=5, languages=["rs", "py"]))
    assert [set(g) for g in subset] == [{"id", "python", "rust"}] * 4
    assert [g["rust"] for g in subset] == [g["rust"] for g in full]


def test_unknown_language_is_a_codescale_error():
    with pytest.raises(CodescaleError, match="unknown language 'cobol'"):
        next(generate_programs(1, languages=["python", "cobol"]))


def test_programs_are_varied():
    groups = list(generate_programs(300, seed=11))
    python = [g["python"] for g in groups]
    assert len(set(python)) == 300
    function_names = {name for code in python for name in re.findall(r"^def (\w+)\(", code, re.M)} - {"main"}
    assert len(function_names) > 300
    for construct in ("for ", "while ", "try:", "raise ValueError", "@dataclass", 'f"', "elif ", " // ", ".append("):
        assert sum(construct in code for code in python) >= 3, construct
    functions_per_program = [len(re.findall(r"^def ", code, re.M)) - 1 for code in python]
    assert min(functions_per_program) >= 2 and max(functions_per_program) >= 5


def test_each_language_uses_its_naming_convention():
    group = next(g for g in generate_programs(50, seed=2) if "@dataclass" in g["python"])
    python_functions = [n for n in re.findall(r"^def (\w+)\(", group["python"], re.M) if n != "main"]
    words = [tuple(name.split("_")) for name in python_functions]
    assert all(re.fullmatch(r"[a-z0-9_]+", name) for name in python_functions)
    for name in words:
        assert f" {camel(name)}(" in group["java"]
        assert f"function {camel(name)}(" in group["javascript"]
        assert f"function {camel(name)}(" in group["typescript"]
        assert re.search(rf"public static [\w<>]+ {pascal(name)}\(", group["csharp"])
        assert f"fn {'_'.join(name)}(" in group["rust"]
    record = re.search(r"^class (\w+):", group["python"], re.M).group(1)
    assert f"record {record}(" in group["java"]
    assert f"public sealed class {record}" in group["csharp"]
    assert f"type {record} struct" in group["go"]
    assert f"struct {record} {{" in group["rust"]
    assert f"interface {record} {{" in group["typescript"]


def test_programs_are_self_contained_with_an_entry_point():
    for group in generate_programs(5, seed=4):
        assert 'if __name__ == "__main__":' in group["python"]
        assert "public static void main(String[] args)" in group["java"]
        assert group["javascript"].rstrip().endswith("main();")
        assert "public static void Main()" in group["csharp"]
        assert group["go"].startswith("package main\n") and "\nfunc main() {" in group["go"]
        assert "\nfn main() {" in group["rust"]


def test_failures_use_each_languages_error_idiom():
    group = next(g for g in generate_programs(100, seed=6) if "raise ValueError" in g["python"])
    assert "throw new IllegalArgumentException(" in group["java"]
    assert "throw new Error(" in group["javascript"] and "throw new Error(" in group["typescript"]
    assert "throw new ArgumentException(" in group["csharp"]
    assert ", error) {" in group["go"] and "if err != nil {" in group["go"]
    assert "Result<" in group["rust"] and "Err(" in group["rust"]


def test_propagated_errors_use_question_mark_in_rust_and_return_err_in_go():
    group = next(g for g in generate_programs(400, seed=0) if re.search(r"\)\?;", g["rust"]))
    assert "return 0, err" in group["go"]


def test_vocabulary_never_yields_a_reserved_one_word_name():
    words = set()
    for domain in DOMAINS:
        for name in (domain.record, domain.item, *domain.int_fields, *domain.float_fields, *domain.str_fields):
            if len(name) == 1:
                words.add(name[0])
    assert not words & RESERVED_WORDS


def test_generation_is_fast_enough_for_large_corpora():
    import time

    start = time.perf_counter()
    for _ in generate_programs(300, seed=9):
        pass
    assert 300 / (time.perf_counter() - start) > 100  # groups of seven per second, with margin for a busy machine


def test_a_missing_toolchain_is_reported_with_the_tools_it_needs(monkeypatch):
    from codescale.mixtures.synthetic import toolchains

    absent = ("go", "mcs", "csc")
    monkeypatch.setattr(toolchains.shutil, "which", lambda tool: None if tool in absent else "/usr/bin/" + tool)
    assert toolchains.missing_toolchain("go") == "go: toolchain not installed (needs go+gofmt on PATH)"
    assert "mcs+mono or csc+mono" in toolchains.missing_toolchain("csharp")
    assert toolchains.missing_toolchain("rust") is None
    with pytest.raises(RuntimeError, match="go: toolchain not installed"):
        toolchains.check_programs("go", ["package main\n"])
