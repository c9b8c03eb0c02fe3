"""codescale.core.logging: one handler on the codescale logger, to the current stderr, with the rank when set."""

from __future__ import annotations

import io
import logging

import pytest

from codescale.core import logging as codescale_logging


def _ours(logger: logging.Logger) -> list[logging.Handler]:
    # pytest attaches its own capture handlers to non-propagating loggers too: count only codescale's.
    return [h for h in logger.handlers if h.get_name() == "codescale"]


@pytest.fixture
def fresh_logger():
    logger = logging.getLogger("codescale")
    saved = (_ours(logger), logger.level, logger.propagate)
    for handler in saved[0]:
        logger.removeHandler(handler)
    yield logger
    for handler in _ours(logger):
        logger.removeHandler(handler)
    for handler in saved[0]:
        logger.addHandler(handler)
    logger.setLevel(saved[1])
    logger.propagate = saved[2]


def test_setup_twice_keeps_one_handler_and_takes_the_new_level(fresh_logger):
    codescale_logging.setup("INFO")
    codescale_logging.setup("debug")
    assert len(_ours(fresh_logger)) == 1
    assert fresh_logger.level == logging.DEBUG
    assert fresh_logger.propagate is False


def test_level_comes_from_the_environment_and_an_unknown_name_means_info(fresh_logger, monkeypatch):
    monkeypatch.setenv("CODESCALE_LOG_LEVEL", "warning")
    assert codescale_logging.setup().level == logging.WARNING
    monkeypatch.setenv("CODESCALE_LOG_LEVEL", "chatty")
    assert codescale_logging.setup().level == logging.INFO


def test_records_go_to_the_stderr_of_the_moment(fresh_logger, capsys):
    codescale_logging.setup("INFO")
    logging.getLogger("codescale.demo.study").info("==> %s", "stage one")
    logging.getLogger("codescale.demo.study").debug("not shown")
    err = capsys.readouterr().err
    assert "INFO codescale.demo.study: ==> stage one" in err
    assert "not shown" not in err


def test_the_rank_is_added_when_set_at_the_time_of_the_record(fresh_logger, monkeypatch):
    stream = io.StringIO()
    codescale_logging.setup("INFO", stream=stream)
    monkeypatch.delenv("RANK", raising=False)
    logging.getLogger("codescale.titan_runner.train").info("before")
    monkeypatch.setenv("RANK", "3")
    logging.getLogger("codescale.titan_runner.train").info("after")
    before, after = stream.getvalue().splitlines()
    assert before.endswith("INFO codescale.titan_runner.train: before")
    assert after.endswith("INFO codescale.titan_runner.train[rank 3]: after")
