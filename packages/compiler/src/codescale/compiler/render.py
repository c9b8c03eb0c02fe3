"""Writing a plan to disk: the compiled output directory of contracts §3.

``OUT/runs/<run_id>/run.json`` and ``mixture.json`` per run, ``OUT/jobs.py`` (one jinja2 render of
``templates/jobs.py.j2`` for all runs: a torchtitan 0.3 config module with one function per run returning the run's
complete ``Trainer.Config``, runnable by torchtitan's own entry point), and
``OUT/plan.json`` last. The JSON files are the contract models' own serialisation (``Run.to_json``,
``MixtureManifest.to_json``: no template can get JSON quoting wrong); jobs.py is text, so the compiler never imports torch.

Failure model: every file is written to a temporary name in its directory and renamed over the target, so a
crash leaves either the old file or the new one, never half of one. Nothing else is removed: recompiling into a
directory whose runs have already trained keeps their metrics and checkpoints (their ``run.json`` is rewritten
with identical content when the run is unchanged). ``plan.json`` is written last, so a plan file always describes
runs whose files exist.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from codescale.core.contracts import MixtureManifest, Run
from codescale.core.errors import CodescaleError
from codescale.core.io import atomic_write_text

_DECAY_TYPE = {"cosine": "cosine", "linear": "linear", "wsd": "linear"}


def mixture_manifest(run: Run) -> MixtureManifest:
    """The sampler manifest of a run (``mixture.json``)."""
    from codescale.compiler.mixing import unique_tokens

    return MixtureManifest.for_run(run, unique_tokens(run.mixture.tokens_per_language, run.mixture.repeat or {}))


def _tokenizer_dir(run: Run) -> str | None:
    prepared = run.corpus.prepared
    if prepared is None:
        return None
    try:
        from codescale.compiler.mixing import prepared_manifest

        sub = prepared_manifest(prepared).tokenizer.dir
    except CodescaleError:  # no manifest yet (the corpus is prepared later): the contract's default location
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
    env.filters["decay_type"] = lambda run: _DECAY_TYPE[run.training.decay]
    env.filters["directions"] = lambda run: [f"{t.src}->{t.tgt}" for t in run.eval.translation]
    env.filters["seen_directions"] = lambda run: [f"{t.src}->{t.tgt}" for t in run.eval.translation if t.seen]
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
    atomic_write_text(path, text)
    return 1


def _write_run(out: Path, run: Run) -> int:
    run_dir = out / "runs" / run.run_id
    try:
        run_dir.mkdir()
        fresh = True
    except FileExistsError:
        fresh = False
    # per-run files are one line, read by programs (and jq); the plan file is indented for people
    return _write_if_changed(run_dir / "run.json", run.to_json(), fresh=fresh) + _write_if_changed(
        run_dir / "mixture.json", mixture_manifest(run).to_json(), fresh=fresh
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
    atomic_write_text(out / "plan.json", plan.to_file().to_json())
    return written + 1
