"""present: the text and Markdown views of stored fits that `codescale fit`, `report` and the demo share."""

from __future__ import annotations

import re

from codescale.laws.fitstore import StoredFit
from codescale.laws.present import fits_markdown, law_fits_text, mixture_fit_text, synergy_table


def _law(**changes) -> StoredFit:
    fit = StoredFit(kind="chinchilla", form="chinchilla", selection_sql="SELECT 1", settings={"units": "billions"},
                    n_runs=12, objective=0.00123456789, converged=True,
                    params={"E": 1.8, "A": 400.0, "B": 2.5e6, "alpha": 0.34, "beta": 0.37},
                    intervals={"alpha": (0.31, 0.38)}, group_key="language", group_value="go",
                    fit_id="chinchilla-go-0123abcd")  # fmt: skip
    for name, value in changes.items():
        setattr(fit, name, value)
    return fit


def _synergy() -> StoredFit:
    params = {"rel_gain:python:java": 0.0123, "rel_gain_se:python:java": 0.0045, "rel_gain:java:python": -0.02}
    return StoredFit(kind="synergy", form="delta", selection_sql="SELECT 1",
                     settings={"languages": ["java", "python"]}, n_runs=6, objective=None, converged=True,
                     params=params, group_key="point", group_value="s|N=0.1B|D=2B", fit_id="synergy-s-1")  # fmt: skip


def test_a_law_fit_lists_its_parameters_with_intervals_under_a_header():
    lines = law_fits_text([_law()]).splitlines()
    assert lines[0] == ("chinchilla-go-0123abcd  language=go  n_runs=12  form=chinchilla  units=billions  "
                        "objective=0.00123457  converged=True  identified=True")  # fmt: skip
    assert re.fullmatch(r" {4}alpha +0\.34  \[0\.31, 0\.38\]", lines[4])
    assert re.fullmatch(r" {4}B +2\.500e\+06", lines[3])  # fitted values spelled by core.fmt.number
    assert len(lines) == 6


def test_a_fit_without_an_objective_still_prints():
    text = law_fits_text([_law(objective=None, unidentified=["alpha on its bound"], warnings=["few runs"])])
    assert "objective=nan" in text and "identified=False" in text
    assert "    unidentified: alpha on its bound" in text and text.endswith("    warning: few runs")


def test_only_the_requested_parameters_are_listed():
    text = law_fits_text([_law(params={"c": 0.9, "s": 4.0, "L0": 2.1})], names=("c", "s", "L0"))
    assert [line.split()[0] for line in text.splitlines()[1:]] == ["c", "s", "L0"]


def test_the_synergy_table_is_target_by_auxiliary_with_aligned_columns():
    lines = synergy_table(_synergy()).splitlines()
    assert lines[0].split() == ["target", "\\", "aux", "Java", "Python"]
    assert lines[1].split() == ["Java", "-", "-2.00%"]
    assert lines[2].split() == ["Python", "+1.23%±0.45", "-"]
    assert len({line.index(line.split()[-1]) + len(line.split()[-1]) for line in lines}) == 1  # right-aligned


def test_a_mixture_fit_groups_parameters_by_unit():
    stored = StoredFit(kind="mixture", form="paper", selection_sql="SELECT 1", settings={"options": {"bootstrap": 0}},
                       n_runs=40, objective=0.5, converged=True, params={"go.gamma": 0.5, "go.kappa": 2.0},
                       intervals={"go.kappa": (1.5, 2.5)}, fit_id="mixture-all-1")  # fmt: skip
    lines = mixture_fit_text(stored).splitlines()
    assert lines[0] == "mixture-all-1  law=paper  n_runs=40  converged=True  identified=True"
    assert lines[1] == "    go: gamma=0.5, kappa=2 [1.5, 2.5]"


def test_the_markdown_table_has_one_row_per_fit_and_a_dash_for_a_missing_parameter():
    second = _law(params={"E": 1.7, "A": 10.0, "alpha": 0.5}, intervals={}, fit_id="chinchilla-go-2")
    lines = fits_markdown([_law(), second])
    assert lines[0] == "| fit | group | runs | E | A | B | alpha | beta | identified | warnings |"
    assert lines[2].startswith("| `chinchilla-go-0123abcd` | go | 12 | 1.8 | 400 | 2.500e+06 | 0.34 [0.31, 0.38] |")
    assert lines[3] == "| `chinchilla-go-2` | go | 12 | 1.7 | 10 | – | 0.5 | – | yes | – |"
