"""Domains: the seven languages with their aliases, and any other data source by a normalised name."""

from __future__ import annotations

import pytest

from codescale.core.domains import canonical, domain_display, domain_id, is_language
from codescale.core.errors import CodescaleError


@pytest.mark.parametrize(
    ("name", "expected"), [("Py", "python"), (" C# ", "csharp"), ("golang", "go"), ("TS", "typescript")]
)
def test_language_names_and_aliases_become_the_language_id(name, expected):
    assert domain_id(name) == expected
    assert is_language(name)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Pile-CC", "pile-cc"),
        ("DM Mathematics", "dm_mathematics"),
        ("the_pile/ArXiv", "the_pile_arxiv"),
        ("FineWeb-Edu", "fineweb-edu"),
        ("  Ubuntu IRC ", "ubuntu_irc"),
    ],
)
def test_any_other_name_is_accepted_and_two_spellings_meet(name, expected):
    assert domain_id(name) == expected
    assert domain_id(expected) == expected  # normalising is idempotent
    assert not is_language(name)


def test_display_shows_languages_by_their_name_and_other_domains_by_id():
    assert domain_display("csharp") == "C#"
    assert domain_display("pile-cc") == "pile-cc"


def test_a_name_without_letters_or_digits_is_an_error_and_languages_stay_closed_for_specs():
    with pytest.raises(CodescaleError, match="not a usable domain name"):
        domain_id(" /// ")
    with pytest.raises(CodescaleError, match="unknown language"):
        canonical("Pile-CC")
