"""Fixtures of the titan_runner tests (helpers in titan_testing.py: a unique module name, see tests/slurm)."""

from __future__ import annotations

from pathlib import Path

import pytest
from titan_testing import build_corpus


@pytest.fixture(scope="session")
def prepared_corpus(tmp_path_factory) -> Path:
    return build_corpus(tmp_path_factory.mktemp("corpus"))
