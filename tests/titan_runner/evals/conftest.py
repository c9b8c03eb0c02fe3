"""Fixtures of the evals tests: one tiny real run, trained once per session (helpers in tests/titan_runner)."""

from __future__ import annotations

from pathlib import Path

import pytest
from titan_testing import make_run


@pytest.fixture(scope="session")
def trained_run(tmp_path_factory, prepared_corpus) -> Path:
    """A completed ~100k-parameter python/java run with checkpoints (and validation losses) at steps 2 and 4."""
    from codescale.titan_runner.train import train_run

    run_dir = make_run(
        tmp_path_factory.mktemp("evals-run"),
        prepared_corpus,
        run_id="evalrun",
        steps=4,
        checkpoint_interval=2,
        eval_interval=2,
    )
    status = train_run(run_dir)
    assert status.state == "completed"
    return run_dir
