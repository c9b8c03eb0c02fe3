"""Logging for codescale: one logger tree (``codescale.*``), one format, set up once by the CLI or a job.

``print`` is for a command's own output (a table, a path, JSON); everything a Slurm log or a long local run should
keep — progress, retries, what was skipped and why — goes through ``logging.getLogger(__name__)``. The CLI calls
:func:`setup` once (``-v`` for debug, ``CODESCALE_LOG_LEVEL`` to override); a training job calls it in the task, so
its lines land in the run's ``logs/`` with timestamps and the rank.
"""

from __future__ import annotations

import logging
import os
import sys

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
_HANDLER_NAME = "codescale"


def setup(level: int | str | None = None, *, stream=None) -> logging.Logger:
    """Attach one stderr handler to the ``codescale`` logger (idempotent) and set its level.

    ``level`` defaults to ``$CODESCALE_LOG_LEVEL`` or INFO. Other libraries' loggers are left alone."""
    chosen = level if level is not None else os.environ.get("CODESCALE_LOG_LEVEL", "INFO")
    if isinstance(chosen, str):
        chosen = logging.getLevelName(chosen.upper())
        if not isinstance(chosen, int):
            chosen = logging.INFO
    logger = logging.getLogger("codescale")
    logger.setLevel(chosen)
    if not any(h.get_name() == _HANDLER_NAME for h in logger.handlers):
        handler = logging.StreamHandler(stream or sys.stderr)
        handler.set_name(_HANDLER_NAME)
        rank = os.environ.get("RANK")
        fmt = FORMAT if rank is None else FORMAT.replace("%(name)s", f"%(name)s[rank {rank}]")
        handler.setFormatter(logging.Formatter(fmt, DATE_FORMAT))
        logger.addHandler(handler)
        logger.propagate = False
    return logger
