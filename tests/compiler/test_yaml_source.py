"""YAML loading keeps positions; malformed input of any kind is a CodescaleError, never a traceback."""

import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codescale.compiler.plan import plan_spec
from codescale.core.errors import CodescaleError
from codescale.core.yaml_source import PointMap, parse_yaml

GOOD = (Path(__file__).parent / "fixtures" / "good" / "minimal.yaml").read_text()


def test_values_and_keys_keep_line_and_column():
    data, smap = parse_yaml("a:\n  b: [1, two]\n  c: {d: x}\n", "s.yaml")
    assert data == {"a": {"b": [1, "two"], "c": {"d": "x"}}}
    assert smap.locate(("a", "b", 1)) == (("a", "b", 1), (2, 10))
    assert smap.locate(("a", "c", "d"), key=True) == (("a", "c", "d"), (3, 7))


def test_missing_path_falls_back_to_the_nearest_existing_node():
    _, smap = parse_yaml("model:\n  size: 1M\n", "s.yaml")
    assert smap.locate(("model", "vocab_size")) == (("model",), (2, 3))
    assert smap.error(("model", "vocab_size"), "missing").render() == "s.yaml:2:3 model.vocab_size: missing"


def test_point_map_redirects_swept_values_to_their_sweep_entry():
    _, smap = parse_yaml("model: {size: 1M}\nsweep:\n  product:\n    model.size: [1M, 2M]\n", "s.yaml")
    point = PointMap(smap, {("model", "size"): ("sweep", "product", "model.size", 1)})
    assert point.error(("model", "size"), "bad").render() == "s.yaml:4:22 model.size: bad"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("a: [1, 2\n", "s.yaml:2:1 invalid YAML: did not find expected ',' or ']' (fix the YAML syntax)"),
        ("a: 1\na: 2\n", "s.yaml:2:1 a: duplicate key 'a' (first written on line 1) (keep one of them)"),
        ("? [a, b]\n: 1\n", "s.yaml:1:3 mapping keys must be plain scalars"),
        (
            "a: !python/object:os.system x\n",
            "s.yaml:1:4 a: invalid YAML value: could not determine a constructor for the tag '!python/object:os.system'",
        ),
        (
            "a: 1\n---\nb: 2\n",
            "s.yaml:2:1 invalid YAML: expected a single document in the stream but found another document (fix the YAML syntax)",
        ),
        (
            "base: &b {x: 1}\nother:\n  <<: *b\n",
            "s.yaml:3:3 other: YAML merge keys (<<) are not supported in specs (write the fields out)",
        ),
    ],
)
def test_malformed_yaml_is_one_located_error(text, expected):
    with pytest.raises(CodescaleError) as info:
        parse_yaml(text, "s.yaml")
    assert info.value.render() == expected


def test_aliases_within_the_bounds_expand_with_the_anchor_positions():
    data, smap = parse_yaml("base: &b [1, 2]\nother: *b\n", "s.yaml")
    assert data == {"base": [1, 2], "other": [1, 2]}
    assert smap.locate(("other", 1)) == (("other", 1), (1, 14))


def test_an_alias_bomb_is_refused_at_the_alias_that_crosses_the_bound_without_being_expanded():
    lines = ["l0: &l0 [" + ", ".join(["lol"] * 10) + "]"]
    lines += [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]" for i in range(1, 9)]  # 10^9 values
    with pytest.raises(CodescaleError) as info:
        parse_yaml("\n".join(lines) + "\n", "s.yaml")
    assert info.value.render().startswith("s.yaml:5:45 alias *l3 expands past 100,000 values (an alias bomb?)")


def test_the_value_bound_counts_every_value_after_expansion(monkeypatch):
    import codescale.core.yaml_source as yaml_source

    monkeypatch.setattr(yaml_source, "MAX_VALUES", 9)
    assert parse_yaml("a: &x [1, 2]\nb: *x\n")[0] == {
        "a": [1, 2],
        "b": [1, 2],
    }  # mapping, 2 keys, 2 x (list + 2 values)
    with pytest.raises(CodescaleError, match=r"^<string>:2:5 alias \*x expands past 9 values"):
        parse_yaml("a: &x [1, 2]\nb: [*x]\n")


def test_a_recursive_alias_and_a_reused_anchor_are_located_errors():
    with pytest.raises(CodescaleError, match=r"^s.yaml:2:10 alias \*r refers to a node that contains it"):
        parse_yaml("a:\n  &r [1, *r]\n", "s.yaml")
    with pytest.raises(CodescaleError, match=r"^s.yaml:2:4 anchor &x is defined twice \(first on line 1\)"):
        parse_yaml("a: &x 1\nb: &x 2\n", "s.yaml")


@pytest.mark.parametrize(
    "char, name",
    [
        ("\x00", "NUL (U+0000)"),
        ("\x01", "a control character (U+0001)"),
        ("\x1b", "a control character (U+001B)"),
        ("\x7f", "a control character (U+007F)"),
    ],
)
def test_characters_yaml_does_not_allow_are_refused_at_their_line_and_column(char, name):
    with pytest.raises(CodescaleError) as info:
        parse_yaml(f"study: x\nname: ab{char}c\n", "s.yaml")
    assert info.value.render().startswith(f"s.yaml:2:9 {name} is not allowed in YAML")


def test_bytes_that_are_not_utf8_are_refused_at_their_line_column_and_offset(tmp_path):
    from codescale.core.yaml_source import load_yaml

    path = tmp_path / "s.yaml"
    path.write_bytes("study: x\nname: é\xff\n".encode("latin-1"))
    with pytest.raises(CodescaleError) as info:
        load_yaml(path, "s.yaml")
    assert info.value.render().startswith("s.yaml:2:7 not UTF-8 text: byte 0xe9 at byte offset 15")


def test_an_empty_document_is_located_at_the_top_of_the_file():
    data, smap = parse_yaml("# only a comment\n", "s.yaml")
    assert data is None and smap.error((), "empty").render() == "s.yaml:1:1 empty"


def _plan_text(tmp_path: Path, text: str) -> None:
    path = tmp_path / "fuzz.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        plan_spec(path)
    except CodescaleError:
        pass


_yaml_chars = st.sampled_from(
    list(string.ascii_letters + string.digits + " :-[]{},.#&*!|>'\"\n\t%@`?<=") + ["é", "\x00", "\ufeff"]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(_yaml_chars, max_size=200))
def test_random_text_only_raises_codescale_error(tmp_path, text):
    _plan_text(tmp_path, text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_mutated_good_spec_only_raises_codescale_error(tmp_path, data):
    """Cut, duplicate or replace pieces of a valid spec: whatever comes out is planned or refused cleanly."""
    text = GOOD
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(text)))
        j = data.draw(st.integers(i, min(len(text), i + 30)))
        replacement = data.draw(
            st.one_of(
                st.just(""),
                st.text(_yaml_chars, max_size=12),
                st.just(text[i:j] * 2),
                st.sampled_from(
                    ["-1", "0", "1e400", "null", "[]", "{}", "true", "~", "0.0", "nan", "python->java", "20x"]
                ),
            )
        )
        text = text[:i] + replacement + text[j:]
    _plan_text(tmp_path, text)


values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(10**12), 10**12),
        st.floats(allow_nan=True),
        st.text(max_size=8),
        st.sampled_from(["python", "java", "1M", "20x", "auto", "parallel", "wsd"]),
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=12,
)
_fields = st.sampled_from(
    [
        "study",
        "mixture",
        "model",
        "budget",
        "training",
        "cluster",
        "pairing",
        "eval",
        "sweep",
        "parallelism",
        "float8",
        "corpus",
        "name",
    ]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(_fields, values, max_size=8))
def test_random_structures_only_raise_codescale_error(tmp_path, document):
    import yaml

    _plan_text(tmp_path, yaml.safe_dump(document))
