"""The top-level dispatcher: every command resolves to a module, and import discipline holds."""

import subprocess
import sys

from codescale.core.cli import COMMANDS, main


def test_help_lists_every_command(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in COMMANDS:
        assert command in out


def test_unknown_command_is_a_clear_error(capsys):
    assert main(["frobnicate"]) == 2
    assert "unknown command 'frobnicate'" in capsys.readouterr().err


def test_console_script_runs():
    proc = subprocess.run([sys.executable, "-m", "codescale.core.cli", "--help"], capture_output=True, text=True)
    assert proc.returncode == 0
    assert "codescale" in proc.stdout


def test_every_command_module_registers_its_options(capsys):
    for command in COMMANDS:
        try:
            main([command, "--help"])
        except SystemExit as stop:  # argparse exits after printing the help
            assert stop.code == 0, command
        assert f"usage: codescale {command}" in capsys.readouterr().out, command


def test_verbosity_flags_before_the_command_set_the_log_level(monkeypatch):
    import logging

    monkeypatch.delenv("CODESCALE_LOG_LEVEL", raising=False)
    main(["-q", "--help"])
    assert logging.getLogger("codescale").level == logging.WARNING
    main(["-v", "--help"])
    assert logging.getLogger("codescale").level == logging.DEBUG
    main(["--help"])
    assert logging.getLogger("codescale").level == logging.INFO
