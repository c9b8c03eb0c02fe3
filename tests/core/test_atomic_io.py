"""codescale.core.io: atomic replacement keeps the permissions a plain write would give."""

from __future__ import annotations

import os
import stat

from codescale.core.io import atomic_write_text, write_json_atomic


def test_a_new_file_gets_the_umask_mode_and_a_replaced_file_keeps_its_own(tmp_path):
    umask = os.umask(0o022)
    os.umask(umask)
    atomic_write_text(tmp_path / "a.txt", "one\n")
    assert stat.S_IMODE((tmp_path / "a.txt").stat().st_mode) == 0o666 & ~umask
    (tmp_path / "b.json").write_text("{}")
    os.chmod(tmp_path / "b.json", 0o640)
    write_json_atomic(tmp_path / "b.json", {"x": 1})
    assert stat.S_IMODE((tmp_path / "b.json").stat().st_mode) == 0o640
    assert (tmp_path / "b.json").read_text() == '{\n  "x": 1\n}\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.json"]
