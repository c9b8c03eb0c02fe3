"""``codescale``: a thin face over the four packages that imports only what the chosen command needs.

``codescale plan`` or ``codescale fit`` never import torch: the table below maps each command to the module that
implements it, and only that module is imported. A command module exposes ``register(command, parser)``, which adds
the command's arguments to an ``argparse`` parser and sets ``parser.set_defaults(func=...)``; ``func(args)`` returns
the exit status.

Progress goes to the log on stderr (:mod:`codescale.core.logging`, set up here once): ``-v`` before the command
shows debug lines, ``-q`` only warnings and errors, ``CODESCALE_LOG_LEVEL`` sets the level otherwise. A command's own
output (tables, paths, JSON) is printed to stdout.

Exit statuses: 0 success, 1 the command ran and found a problem (e.g. a failed run, an over-budget plan), 2 bad
input (a :class:`~codescale.core.errors.CodescaleError`, printed as one line, no traceback), 130 interrupted. A
SIGINT is never lost: one that arrives after the command's work, while ``codescale`` exits, ends the process by the
signal itself (status 130 in a shell), since SIGINT goes back to its default action when ``main`` returns.
"""

from __future__ import annotations

import argparse
import importlib
import signal
import sys
import threading

# command -> (module, one-line help). Keep in sync with each module's register(); tests check every entry imports.
COMMANDS: dict[str, tuple[str, str]] = {
    # compiler: spec -> plan -> rendered jobs
    "validate": ("codescale.compiler.cli", "check a spec file and report every error with file:line"),
    "plan": ("codescale.compiler.cli", "expand a spec into runs and show parameters, tokens, FLOPs and GPU-hours"),
    "compile": ("codescale.compiler.cli", "render torchtitan job configs, mixture manifests and the plan file"),
    "schema": ("codescale.compiler.cli", "print the spec JSON Schema (for editor completion)"),
    "diff": ("codescale.compiler.cli", "compare two plan files: runs added, removed and changed"),
    # mixtures: corpus -> tokenizer -> shards
    "data": (
        "codescale.mixtures.cli",
        "corpora: generate, scan, clean and tokenise into shards (local workers or Slurm)",
    ),
    # titan_runner: plan -> torchtitan runs -> run directories
    "submit": ("codescale.titan_runner.cli", "submit a spec's or plan's runs (local, debug or slurm executor)"),
    "status": ("codescale.titan_runner.cli", "show each run's state and progress"),
    "cancel": ("codescale.titan_runner.cli", "stop runs"),
    "train": ("codescale.titan_runner.cli", "run one compiled run in this process (what executors call)"),
    # titan_runner.evals: checkpoints -> Hugging Face models -> generated code, executed and scored
    "export": ("codescale.titan_runner.evals.cli", "turn a run's checkpoint into a Hugging Face model directory"),
    "eval": (
        "codescale.titan_runner.evals.cli",
        "generate code with checkpoints and score it: pass@k by running tests in seven languages, BLEU for translation",
    ),
    # laws: run directories -> DuckDB -> fits -> allocation
    "ingest": ("codescale.laws.cli", "load run directories into the DuckDB results store"),
    "import": ("codescale.laws.cli", "load external scaling results (CSV/parquet) as runs"),
    "sql": ("codescale.laws.cli", "query the results store with SQL (table, CSV or JSON; interactive without a query)"),
    "fit": ("codescale.laws.analysis_cli", "fit a scaling law (chinchilla, synergy, translation, mixture)"),
    "validate-law": (
        "codescale.laws.analysis_cli",
        "refit without held-out runs; errors per domain (validations table)",
    ),
    "allocate": ("codescale.laws.analysis_cli", "optimise language proportions under a fitted law and write a spec"),
    "propose": (
        "codescale.laws.propose_cli",
        "choose the next runs that shrink a target's uncertainty most per GPU-hour",
    ),
    "report": ("codescale.laws.analysis_cli", "write PNG figures and a Markdown summary"),
    "simulate": (
        "codescale.laws.analysis_cli",
        "fill the store with synthetic results for a plan from a ground-truth law",
    ),
    # the whole loop
    "demo": ("codescale.demo.cli", "run a micro multilingual scaling study end to end on this machine"),
}


_VERBOSITY = {"-v": "DEBUG", "--verbose": "DEBUG", "-q": "WARNING", "--quiet": "WARNING"}


def _top_parser() -> argparse.ArgumentParser:
    from codescale.core.fmt import table

    commands = table(("command", "what it does"), [(c, h) for c, (_, h) in COMMANDS.items()])
    lines = "\n".join(f"  {line}" for line in commands.splitlines())
    return argparse.ArgumentParser(
        prog="codescale",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Plan, run and analyse multilingual code-LLM scaling studies.",
        epilog=f"commands:\n{lines}\n\n`codescale COMMAND --help` shows a command's options. Progress is logged to stderr:\n"
        "-v (before COMMAND) adds debug lines, -q keeps only warnings and errors.",
        usage="codescale [-h] [--version] [-v | -q] COMMAND [ARGS...]",
    )


def main(argv: list[str] | None = None) -> int:
    """Run a command; ``argv`` None means this process is ``codescale`` itself (see the module docstring)."""
    program = argv is None
    try:
        return _run(list(sys.argv[1:] if argv is None else argv))
    except KeyboardInterrupt:  # after the command had finished, before main returned
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        if (
            program
            and threading.current_thread() is threading.main_thread()
            and signal.getsignal(signal.SIGINT) is signal.default_int_handler
        ):
            signal.signal(signal.SIGINT, signal.SIG_DFL)  # a Ctrl-C from now on ends the process, never exit 0


def _run(argv: list[str]) -> int:
    from codescale.core import logging as codescale_logging
    from codescale.core.errors import CodescaleError

    level: str | None = None
    while argv and argv[0] in _VERBOSITY:
        level = _VERBOSITY[argv.pop(0)]
    codescale_logging.setup(level)
    top = _top_parser()
    if not argv or argv[0] in ("-h", "--help"):
        top.print_help()
        return 0
    if argv[0] == "--version":
        from importlib.metadata import PackageNotFoundError, version

        try:
            print(f"codescale {version('codescale')}")
        except PackageNotFoundError:
            print("codescale (not installed)")
        return 0
    command, rest = argv[0], argv[1:]
    if command not in COMMANDS:
        top.print_usage(sys.stderr)
        print(f"codescale: unknown command {command!r}; run `codescale --help` for the list", file=sys.stderr)
        return 2
    module_name, help_text = COMMANDS[command]
    parser = argparse.ArgumentParser(prog=f"codescale {command}", description=help_text)
    try:
        module = importlib.import_module(module_name)
        module.register(command, parser)
        args = parser.parse_args(rest)
        return int(args.func(args) or 0)
    except CodescaleError as err:
        print(f"error: {err.render()}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
