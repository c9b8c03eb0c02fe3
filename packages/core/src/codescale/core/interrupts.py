"""Ctrl-C (SIGINT) that cannot cut a critical section short.

Python turns SIGINT into a ``KeyboardInterrupt`` at the next bytecode of the main thread, wherever that is. Most of a
command may stop anywhere: its ``except``/``finally`` cleans up. Two kinds of step must not be cut in half:

- publishing a result (two renames that swap a finished directory into place): stopped between them, the old
  result would be gone and the new one not yet there;
- the cleanup itself (removing a staging directory): a second Ctrl-C would leave half of it behind.

:func:`deferred_interrupt` runs such a step with SIGINT *held*: a SIGINT arriving inside is remembered, and raised as
``KeyboardInterrupt`` the moment the block ends (after it completed). Outside the main thread, where Python cannot
install signal handlers, it is a plain block. A SIGINT that was ignored when the block began (``SIG_IGN``, e.g. a
background job of a non-interactive shell) stays ignored.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def deferred_interrupt() -> Iterator[None]:
    """Hold SIGINT while the block runs; raise the held one as KeyboardInterrupt once it has finished."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGINT)
    held: list[Any] = []
    signal.signal(signal.SIGINT, lambda signum, frame: held.append(frame))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if held and previous not in (signal.SIG_IGN, None):
            if callable(previous) and previous is not signal.default_int_handler:
                previous(signal.SIGINT, held[0])
            else:  # Python's own handler (or SIG_DFL, which would end the process): the interrupt, now
                raise KeyboardInterrupt
