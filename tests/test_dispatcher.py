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
