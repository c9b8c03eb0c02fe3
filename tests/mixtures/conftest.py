"""Fixtures for the mixtures tests; the helpers they use live in mixtures_testing.py (a unique module name)."""

from __future__ import annotations

from pathlib import Path

import pytest
from mixtures_testing import make_corpus


@pytest.fixture(scope="session")
def prepared(tmp_path_factory) -> Path:
    """One prepared four-language corpus shared by the read-only tests."""
    from codescale.mixtures.prepare import prepare

    root = tmp_path_factory.mktemp("corpus")
    catalog = make_corpus(root)
    prepare(catalog, root / "prepared", progress=False)
    return root / "prepared"
