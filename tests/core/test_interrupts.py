"""deferred_interrupt: a SIGINT inside the block is held until the block has run to its end, then raised."""

import os
import signal
import threading

import pytest

from codescale.core.interrupts import deferred_interrupt


@pytest.fixture(autouse=True)
def python_sigint_handler():
    """Python's own SIGINT handler for each test: a test run started as a background job inherits an ignored SIGINT,
    which deferred_interrupt rightly leaves alone (the third test), so the others would test nothing."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def test_a_sigint_inside_the_block_is_raised_once_the_block_has_finished():
    steps = []
    with pytest.raises(KeyboardInterrupt):
        with deferred_interrupt():
            os.kill(os.getpid(), signal.SIGINT)
            steps.append("the rest of the block ran")
    assert steps == ["the rest of the block ran"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_block_without_a_sigint_changes_nothing():
    with deferred_interrupt():
        pass
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_an_ignored_sigint_stays_ignored():
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with deferred_interrupt():
            os.kill(os.getpid(), signal.SIGINT)
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, previous)


def test_outside_the_main_thread_it_is_a_plain_block():
    ran = []

    def worker():
        with deferred_interrupt():
            ran.append(signal.getsignal(signal.SIGINT))

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert ran == [signal.default_int_handler]
