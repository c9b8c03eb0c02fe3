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
from typing import TextIO

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
_HANDLER_NAME = "codescale"


class _RankFormatter(logging.Formatter):
    """:data:`FORMAT`, with ``[rank R]`` after the logger name while ``$RANK`` is set (a distributed job sets it
    after the logger exists, so it is read at each record)."""

    def format(self, record: logging.LogRecord) -> str:
        rank = os.environ.get("RANK")
        if rank is None:
            return super().format(record)
        record = logging.makeLogRecord(record.__dict__)
        record.name = f"{record.name}[rank {rank}]"
        return super().format(record)


class _StderrHandler(logging.StreamHandler):
    """Writes each record to ``sys.stderr`` as it is at that moment (pytest and tools swap the stream)."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, value: TextIO) -> None:
        pass  # always the current sys.stderr


def setup(level: int | str | None = None, *, stream: TextIO | None = None) -> logging.Logger:
    """Attach one handler to the ``codescale`` logger (idempotent) and set its level.

    The handler writes to ``stream``, or to the current ``sys.stderr``. ``level`` defaults to
    ``$CODESCALE_LOG_LEVEL`` or INFO. Other libraries' loggers are left alone."""
    chosen = level if level is not None else os.environ.get("CODESCALE_LOG_LEVEL", "INFO")
    if isinstance(chosen, str):
        named = logging.getLevelName(chosen.upper())
        chosen = named if isinstance(named, int) else logging.INFO
    logger = logging.getLogger("codescale")
    logger.setLevel(chosen)
    if not any(h.get_name() == _HANDLER_NAME for h in logger.handlers):
        handler: logging.Handler = logging.StreamHandler(stream) if stream is not None else _StderrHandler()
        handler.set_name(_HANDLER_NAME)
        handler.setFormatter(_RankFormatter(FORMAT, DATE_FORMAT))
        logger.addHandler(handler)
        logger.propagate = False
    return logger
