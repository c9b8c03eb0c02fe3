"""The demo's specs ship inside codescale-demo and are the repository's specs/demo (one copy, no drift)."""

from __future__ import annotations

from pathlib import Path

from codescale.core.cli import main
from codescale.demo.study import packaged_specs_dir, spec_files

REPO = Path(__file__).resolve().parents[2]


def test_packaged_specs_are_the_repository_specs_demo():
    assert packaged_specs_dir() == (REPO / "specs" / "demo").resolve()
    assert packaged_specs_dir(quick=True) == (REPO / "specs" / "demo" / "quick").resolve()


def test_default_spec_files_are_every_yaml_of_the_folder_in_order():
    assert [p.name for p in spec_files()] == ["mixtures.yaml", "pairing.yaml", "per_language.yaml", "synergy.yaml"]
    assert [p.name for p in spec_files(quick=True)] == [
        "mixtures.yaml",
        "pairing.yaml",
        "per_language.yaml",
        "synergy.yaml",
    ]


def test_list_specs_prints_the_paths_the_demo_would_run(capsys):
    assert main(["demo", "--quick", "--list-specs"]) == 0
    printed = capsys.readouterr().out.split()
    assert printed == [str(p) for p in spec_files(quick=True)]
    assert all(Path(p).is_file() for p in printed)


def test_a_missing_spec_file_is_refused_before_any_work(tmp_path, capsys):
    missing = tmp_path / "nope.yaml"
    assert main(["demo", "--out", str(tmp_path / "work"), "--specs", str(missing)]) == 2
    err = capsys.readouterr().err
    assert f"{missing}" in err and "spec file not found" in err and "--specs" in err
    assert not (tmp_path / "work").exists()
