"""Writing a plan to disk: the compiled output directory of contracts §3.

``OUT/runs/<run_id>/run.json`` and ``mixture.json`` per run, ``OUT/jobs.py`` (one jinja2 render of
``templates/jobs.py.j2`` for all runs: a torchtitan 0.3 config module with one function per run), and
``OUT/plan.json`` last. The JSON files are ``json.dumps`` of the resolved objects (no template can get JSON
quoting wrong); jobs.py is text, so the compiler never imports torch.

Failure model: every file is written to a temporary name in its directory and renamed over the target, so a
crash leaves either the old file or the new one, never half of one. Nothing else is removed: recompiling into a
directory whose runs have already trained keeps their metrics and checkpoints (their ``run.json`` is rewritten
with identical content when the run is unchanged). ``plan.json`` is written last, so a plan file always describes
runs whose files exist.
"""

from __future__ import annotations

import json
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

MIXTURE_FORMAT = "codescale.mixture/1"
_DECAY_TYPE = {"cosine": "cosine", "linear": "linear", "wsd": "linear"}


def atomic_write(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same directory and a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def mixture_manifest(run: dict[str, Any]) -> dict[str, Any]:
    """The sampler manifest of a run (contracts §3, ``mixture.json``)."""
    from codescale.compiler.mixing import unique_tokens

    mixture, training = run["mixture"], run["training"]
    return {
        "format": MIXTURE_FORMAT,
        "run_id": run["run_id"],
        "languages": run["languages"],
        "proportions": mixture["proportions"],
        "tokens_per_language": mixture["tokens_per_language"],
        "total_tokens": training["tokens"],
        "seq_len": training["seq_len"],
        "global_batch_size": training["global_batch_size"],
        "seed": training["seed"],
        "max_epochs": mixture["max_epochs"],
        "unique_tokens_per_language": unique_tokens(mixture["tokens_per_language"], mixture.get("repeat") or {}),
        "pairing": run["pairing"],
        "prepared": run["corpus"]["prepared"],
    }


def _tokenizer_dir(run: dict[str, Any]) -> str | None:
    prepared = run["corpus"]["prepared"]
    if prepared is None:
        return None
    try:
        from codescale.compiler.mixing import prepared_manifest

        sub = prepared_manifest(prepared)["tokenizer"]["dir"]
    except Exception:  # no manifest yet (the corpus is prepared later): the contract's default location
        sub = "tokenizer"
    return os.path.join(prepared, sub)


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("codescale.compiler", "templates"),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["pyrepr"] = repr
    env.filters["tokenizer_dir"] = _tokenizer_dir
    env.filters["decay_type"] = lambda run: _DECAY_TYPE[run["training"]["decay"]]
    return env


def render_jobs(plan: Any) -> str:
    """The text of jobs.py for every run of a plan whose paths are set (compiled with an output directory)."""
    return _environment().get_template("jobs.py.j2").render(plan=plan)


def _write_if_changed(path: Path, text: str, *, fresh: bool = False) -> int:
    """Atomically write ``text`` unless the file already holds exactly it (recompiles touch nothing); 1 if written.
    ``fresh``: the directory was just created, so there is nothing to compare with."""
    if not fresh:
        try:
            if path.read_text(encoding="utf-8") == text:
                return 0
        except (FileNotFoundError, NotADirectoryError, UnicodeDecodeError):
            pass
    atomic_write(path, text)
    return 1


def _write_run(out: Path, run: dict[str, Any]) -> int:
    run_dir = out / "runs" / run["run_id"]
    try:
        run_dir.mkdir()
        fresh = True
    except FileExistsError:
        fresh = False
    compact = (",", ":")  # per-run files are read by programs (and jq); the plan file is indented for people
    run_text = json.dumps(run, separators=compact) + "\n"
    mixture_text = json.dumps(mixture_manifest(run), separators=compact) + "\n"
    return _write_if_changed(run_dir / "run.json", run_text, fresh=fresh) + _write_if_changed(
        run_dir / "mixture.json", mixture_text, fresh=fresh
    )


def write_plan(plan: Any, out_dir: str | Path) -> int:
    """Write the compiled output directory; returns the number of files (re)written.

    Per-run files are written from a small thread pool: the work is file-system calls, which release the GIL, and
    on network or virtual disks each costs about a millisecond.
    """
    out = Path(out_dir)
    (out / "runs").mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(max_workers=8) as pool:
        written = sum(pool.map(lambda run: _write_run(out, run), plan.runs))
    written += _write_if_changed(out / "jobs.py", render_jobs(plan))
    atomic_write(out / "plan.json", json.dumps(plan.to_json(), indent=1) + "\n")
    return written + 1
