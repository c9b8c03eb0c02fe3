"""One checkpoint's evaluation: export, generate, judge, score; resumable, idempotent, one process at a time.

Identity. An evaluation is (run, checkpoint step, :class:`EvalSettings`). Its directory is
``RUN_DIR/evals/<eval_id>/step-<N>/`` with ``eval_id = <suite>-<hash8>`` of the settings that change the numbers
(:func:`eval_id`); the files are the contracts of :mod:`codescale.core.contracts.evals`.

Steps, each resumable:

1. export the checkpoint to ``RUN_DIR/hf/step-N`` (reused when already there);
2. generate: problems in fixed chunks of about one model batch; each chunk's samples are appended to
   ``samples.jsonl`` as soon as they exist. A chunk's random seed depends only on the settings' seed and the chunk's
   position in the suite, so an evaluation killed half-way and started again draws the same samples;
3. judge: every sample's program through the :class:`~.harness.Harness` (identical programs of one problem are
   judged once), appended to ``verdicts.jsonl`` chunk by chunk;
4. score: pass@k per language (per direction for translation) with the unbiased estimator, BLEU per translation
   direction on each problem's first sample, per-task outcome counts; ``result.json`` is written last.

An evaluation with a ``result.json`` is done: evaluating it again returns the stored result (``force`` starts over).
A running evaluation holds an exclusive ``flock`` on its directory; a second process is refused with a message
naming the holder. A failure marks ``status.json`` failed with the error and keeps every sample and verdict already
written.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import logging
import os
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from codescale.core.contracts import Run
from codescale.core.contracts.evals import (
    EvalResult,
    EvalScore,
    EvalSettingsRecord,
    EvalStatus,
    EvalTaskScore,
    SampleLine,
    VerdictLine,
    read_lines,
)
from codescale.core.errors import CodescaleError
from codescale.titan_runner.evals.passk import TaskResult, check_ks, pass_at_k, suite_pass_at_k
from codescale.titan_runner.evals.suites import Problem, Suite, load_suite

log = logging.getLogger(__name__)
EvalSettings = EvalSettingsRecord
JUDGE_CHUNK = 512
"""Programs per harness call while judging (one line batch in verdicts.jsonl)."""


@dataclass(frozen=True)
class ExecutionOptions:
    """How an evaluation runs (never changes its numbers)."""

    workers: int | None = None
    """Harness workers (default: the CPU count)."""
    isolation: str = "auto"
    batch_size: int = 16
    device: str = "auto"
    dtype: str = "auto"
    java_classpath: list[str] | None = None


def make_settings(
    suite: str = "builtin",
    *,
    languages=None,
    tasks=None,
    directions=None,
    limit=None,
    n: int = 20,
    ks=(1, 10),
    temperature: float = 0.2,
    top_p: float = 0.95,
    max_new_tokens: int = 512,
    seed: int = 0,
    backend: str = "transformers",
    bleu_tokenize: str = "13a",
) -> EvalSettings:
    """Validated settings (a CodescaleError names the fix)."""
    from codescale.titan_runner.evals.generate import BACKENDS, SamplingSettings

    SamplingSettings(n=n, temperature=temperature, top_p=top_p, max_new_tokens=max_new_tokens).validate()
    if backend not in BACKENDS:
        raise CodescaleError(f"unknown generation backend {backend!r}", hint=f"use one of {', '.join(BACKENDS)}")
    if limit is not None and limit < 1:
        raise CodescaleError(f"--limit must be at least 1, got {limit}")
    return EvalSettings(
        suite=str(Path(suite).resolve()) if suite.endswith(".jsonl") else suite,
        languages=sorted(languages) if languages else None,
        tasks=sorted(tasks) if tasks else None,
        directions=sorted(directions) if directions else None,
        limit=limit,
        n=n,
        ks=check_ks(ks, n),
        temperature=float(temperature),
        top_p=float(top_p),
        max_new_tokens=int(max_new_tokens),
        seed=int(seed),
        backend=backend,
        bleu_tokenize=bleu_tokenize,
    )


def eval_id(settings: EvalSettings) -> str:
    """``<suite name>-<hash8 of the settings>``."""
    digest = hashlib.sha256(json.dumps(settings.to_dict(), sort_keys=True).encode()).hexdigest()[:8]
    name = Path(settings.suite).stem if settings.suite.endswith(".jsonl") else settings.suite
    return f"{''.join(c if c.isalnum() or c in '-_' else '_' for c in name)}-{digest}"


def eval_dir(run_dir: str | Path, settings: EvalSettings, step: int) -> Path:
    return Path(run_dir).resolve() / "evals" / eval_id(settings) / f"step-{step}"


def select_suite(settings: EvalSettings) -> Suite:
    suite = load_suite(settings.suite)
    if any((settings.languages, settings.tasks, settings.directions, settings.limit)):
        suite = suite.select(
            languages=settings.languages, tasks=settings.tasks, directions=settings.directions, limit=settings.limit
        )
    return suite


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("codescale")
    except PackageNotFoundError:
        return "unknown"


@contextlib.contextmanager
def _exclusive(directory: Path) -> Iterator[None]:
    """One process per evaluation directory; the next one is refused, naming the holder."""
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".lock", "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = ""
            with contextlib.suppress(CodescaleError):
                status = EvalStatus.read(directory / "status.json")
                holder = f" (pid {status.pid} on {status.host})"
            raise CodescaleError(
                f"this checkpoint is being evaluated by another process{holder}",
                source=directory,
                hint="wait for it; `codescale status` shows its progress",
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def is_live(directory: Path) -> bool:
    """Whether a process holds the evaluation's lock right now."""
    lock = directory / ".lock"
    if not lock.exists():
        return False
    with open(lock, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
    return False


@dataclass
class _Progress:
    directory: Path
    status: EvalStatus
    report: Callable[[str], None] | None = None
    last_write: float = field(default=0.0)

    def update(self, force: bool = False, **fields) -> None:
        for key, value in fields.items():
            setattr(self.status, key, value)
        now = time.monotonic()
        if force or now - self.last_write > 1.0:
            self.status.write(self.directory / "status.json", durable=force)
            self.last_write = now


def evaluate_checkpoint(
    run_dir: str | Path,
    step: int | None,
    settings: EvalSettings,
    options: ExecutionOptions | None = None,
    *,
    force: bool = False,
    report: Callable[[str], None] | None = None,
) -> EvalResult:
    """Evaluate one checkpoint of a run (``step=None``: the latest) and return its result (stored or new)."""
    from codescale.titan_runner.evals.export import find_checkpoint

    options = options or ExecutionOptions()
    run_dir = Path(run_dir).resolve()
    run = Run.read(run_dir / "run.json")
    step = find_checkpoint(run_dir, step).step
    directory = eval_dir(run_dir, settings, step)
    result_path = directory / "result.json"
    if result_path.is_file() and not force:
        return EvalResult.read(result_path)
    with _exclusive(directory):
        if force:
            for name in ("result.json", "samples.jsonl", "verdicts.jsonl"):
                (directory / name).unlink(missing_ok=True)
        elif result_path.is_file():  # finished by another process while we waited for nothing
            return EvalResult.read(result_path)
        previous = _read_status(directory)
        status = EvalStatus(
            run_id=run.run_id,
            step=step,
            eval_id=directory.parent.name,
            suite=settings.suite,
            state="running",
            pid=os.getpid(),
            host=socket.gethostname(),
            started_at=_now(),
            executor=previous.executor if previous else None,
            job_id=previous.job_id if previous else None,
        )
        progress = _Progress(directory, status, report)
        progress.update(force=True)
        try:
            result = _evaluate(run, run_dir, step, settings, options, directory, progress)
        except BaseException as err:
            state = "cancelled" if isinstance(err, KeyboardInterrupt) else "failed"
            message = err.render() if isinstance(err, CodescaleError) else f"{type(err).__name__}: {err}"
            progress.update(force=True, state=state, error=message[:2000], finished_at=_now())
            raise
        result.write(result_path)
        progress.update(force=True, state="completed", finished_at=result.finished_at, error=None)
        return result


def _read_status(directory: Path) -> EvalStatus | None:
    try:
        return EvalStatus.read(directory / "status.json")
    except CodescaleError:
        return None


def _evaluate(
    run: Run,
    run_dir: Path,
    step: int,
    settings: EvalSettings,
    options: ExecutionOptions,
    directory: Path,
    progress: _Progress,
) -> EvalResult:
    from codescale.titan_runner.evals.harness import Harness, toolchain_problem

    started, clock = _now(), time.monotonic()
    suite = select_suite(settings)
    executable = [p for p in suite.problems if p.executable]
    missing = sorted(
        {f"{p.language}: {toolchain_problem(p.language)}" for p in executable if toolchain_problem(p.language)}
    )
    if missing:
        raise CodescaleError(
            f"no toolchain to run the completions of {len(missing)} language(s): {'; '.join(missing)}",
            hint="install the toolchains, or leave those languages out with --languages",
        )
    progress.update(force=True, problems=len(suite.problems), samples_total=len(suite.problems) * settings.n)
    samples, export_s, generate_s = _generate(run_dir, step, suite, settings, options, directory, progress)
    generated_tokens = sum(s.tokens for by_sample in samples.values() for s in by_sample.values())
    judged_clock = time.monotonic()
    with Harness(
        workers=options.workers, isolation=options.isolation, java_classpath=options.java_classpath
    ) as harness:
        verdicts = _judge(harness, executable, samples, settings, directory, progress)
        isolation = harness.isolation
    execute_s = time.monotonic() - judged_clock
    scores, tasks = _score(suite, samples, verdicts, settings)
    return EvalResult(
        run_id=run.run_id,
        run_dir=str(run_dir),
        step=step,
        eval_id=directory.parent.name,
        suite=suite.name,
        suite_source=suite.source,
        settings=settings,
        isolation=isolation,
        scores=scores,
        tasks=tasks,
        generated_tokens=generated_tokens,
        timings={
            "export_s": round(export_s, 3),
            "generate_s": round(generate_s, 3),
            "execute_s": round(execute_s, 3),
            "total_s": round(time.monotonic() - clock, 3),
        },
        started_at=started,
        finished_at=_now(),
        codescale_version=_version(),
    )


def _samples_by_problem(directory: Path) -> dict[str, dict[int, SampleLine]]:
    found: dict[str, dict[int, SampleLine]] = {}
    for line in read_lines(directory / "samples.jsonl", SampleLine):
        found.setdefault(line.key, {}).setdefault(line.sample, line)
    return found


def _append(path: Path, lines: list) -> None:
    with open(path, "a", encoding="utf-8") as handle:
        handle.write("".join(json.dumps(line.to_dict(), separators=(",", ":")) + "\n" for line in lines))
        handle.flush()
        os.fsync(handle.fileno())


def _generate(
    run_dir: Path,
    step: int,
    suite: Suite,
    settings: EvalSettings,
    options: ExecutionOptions,
    directory: Path,
    progress: _Progress,
) -> tuple[dict[str, dict[int, SampleLine]], float, float]:
    from codescale.titan_runner.evals.generate import SamplingSettings

    samples = _samples_by_problem(directory)
    done = lambda problem: len(samples.get(problem.key, {})) >= settings.n  # noqa: E731
    progress.update(generated=sum(min(len(samples.get(p.key, {})), settings.n) for p in suite.problems))
    if all(done(p) for p in suite.problems):
        return samples, 0.0, 0.0
    from codescale.titan_runner.evals.export import export_checkpoint
    from codescale.titan_runner.evals.generate import make_backend

    clock = time.monotonic()
    exported = export_checkpoint(run_dir, step=step)
    export_s = time.monotonic() - clock
    clock = time.monotonic()
    backend = make_backend(
        settings.backend, exported.path, device=options.device, dtype=options.dtype, batch_size=options.batch_size
    )
    sampling = SamplingSettings(
        n=settings.n,
        temperature=settings.temperature,
        top_p=settings.top_p,
        max_new_tokens=settings.max_new_tokens,
        seed=settings.seed,
    )
    draws = 1 if sampling.greedy else settings.n
    per_chunk = max(1, options.batch_size // draws)
    problems = list(suite.problems)
    for number, start in enumerate(range(0, len(problems), per_chunk)):
        chunk = [p for p in problems[start : start + per_chunk] if not done(p)]
        if not chunk:
            continue
        # the chunk's seed depends on its position in the suite, not on what a previous attempt finished
        generations = backend.generate(
            [p.prompt for p in chunk], [p.stop for p in chunk], sampling, seed=settings.seed * 1_000_003 + number
        )
        lines = []
        for problem, drawn in zip(chunk, generations):
            have = samples.setdefault(problem.key, {})
            for index, generation in enumerate(drawn):
                if index not in have:
                    line = SampleLine(
                        key=problem.key,
                        sample=index,
                        text=generation.text,
                        tokens=generation.tokens,
                        finish=generation.finish,
                    )
                    have[index] = line
                    lines.append(line)
        _append(directory / "samples.jsonl", lines)
        generated = sum(min(len(samples.get(p.key, {})), settings.n) for p in problems)
        progress.update(generated=generated)
        if progress.report:
            progress.report(f"generated {generated}/{len(problems) * settings.n} samples")
    return samples, export_s, time.monotonic() - clock


def _judge(
    harness,
    problems: list[Problem],
    samples: dict[str, dict[int, SampleLine]],
    settings: EvalSettings,
    directory: Path,
    progress: _Progress,
) -> dict[str, dict[int, VerdictLine]]:
    from codescale.titan_runner.evals.harness import Program

    verdicts: dict[str, dict[int, VerdictLine]] = {}
    for line in read_lines(directory / "verdicts.jsonl", VerdictLine):
        verdicts.setdefault(line.key, {}).setdefault(line.sample, line)
    todo: list[tuple[Problem, int, str]] = []
    for problem in problems:
        for index in range(settings.n):
            if index not in verdicts.get(problem.key, {}):
                text = samples[problem.key][index].text
                completion = text if problem.kind == "translation" else problem.truncate(text)
                todo.append((problem, index, problem.program(completion)))
    total = len(problems) * settings.n
    progress.update(judged=total - len(todo))
    for start in range(0, len(todo), JUDGE_CHUNK):
        chunk = todo[start : start + JUDGE_CHUNK]
        unique: dict[tuple[str, str], Program] = {}
        for problem, _, source in chunk:  # identical programs of a problem (greedy, repeated samples): judge once
            key = (problem.key, source)
            if key not in unique:
                unique[key] = Program(f"{problem.key}#{len(unique)}", problem.language, source, problem.expected_stdout)
        judged = dict(zip(unique, harness.check(list(unique.values()))))
        lines = []
        for problem, index, source in chunk:
            verdict = judged[(problem.key, source)]
            line = VerdictLine(
                key=problem.key,
                sample=index,
                outcome=verdict.outcome,
                detail=verdict.detail[:500],
                compile_s=round(verdict.compile_s, 4),
                run_s=round(verdict.run_s, 4),
            )
            verdicts.setdefault(problem.key, {})[index] = line
            lines.append(line)
        _append(directory / "verdicts.jsonl", lines)
        judged_count = total - len(todo) + start + len(chunk)
        progress.update(judged=judged_count)
        if progress.report:
            progress.report(f"judged {judged_count}/{total} samples")
    return verdicts


def _score(
    suite: Suite,
    samples: dict[str, dict[int, SampleLine]],
    verdicts: dict[str, dict[int, VerdictLine]],
    settings: EvalSettings,
) -> tuple[list[EvalScore], list[EvalTaskScore]]:
    from codescale.titan_runner.evals.harness import OUTCOMES

    tasks: list[EvalTaskScore] = []
    results: list[TaskResult] = []
    meta: dict[str, Problem] = {}
    for problem in suite.problems:
        group = problem.direction or problem.language
        meta[group] = problem
        judged = verdicts.get(problem.key, {})
        if problem.executable:
            outcomes = dict.fromkeys(OUTCOMES, 0)
            for index in range(settings.n):
                outcomes[judged[index].outcome] += 1
            passed = outcomes["passed"]
            results.append(TaskResult(problem.task, group, settings.n, passed))
            tasks.append(
                EvalTaskScore(
                    task=problem.task,
                    language=problem.language,
                    direction=problem.direction,
                    n=settings.n,
                    passed=passed,
                    outcomes=outcomes,
                    pass_at_k={str(k): pass_at_k(settings.n, passed, k) for k in settings.ks},
                )
            )
        else:
            tasks.append(
                EvalTaskScore(task=problem.task, language=problem.language, direction=problem.direction, n=settings.n)
            )
    scores = []
    counts: dict[str, int] = {}
    for result in results:
        counts[result.group] = counts.get(result.group, 0) + 1
    for group, by_k in suite_pass_at_k(results, settings.ks).items():
        problem = meta[group]
        for k, value in by_k.items():
            scores.append(
                EvalScore(
                    metric="pass@k",
                    k=k,
                    language=problem.language,
                    src=problem.source_language,
                    direction=problem.direction,
                    value=value,
                    n=settings.n,
                    tasks=counts[group],
                )
            )
    # translation problems (they have a direction) with a reference target program, by direction
    by_direction: dict[str, list[tuple[Problem, str]]] = {}
    for problem in suite.problems:
        if problem.direction is not None and problem.reference:
            by_direction.setdefault(problem.direction, []).append((problem, problem.reference))
    if by_direction:
        from codescale.titan_runner.evals.bleu import corpus_bleu

        for direction, pairs in by_direction.items():
            bleu = corpus_bleu(
                [samples[p.key][0].text for p, _ in pairs],
                [reference for _, reference in pairs],
                tokenize=settings.bleu_tokenize,
            )
            first = pairs[0][0]
            scores.append(
                EvalScore(
                    metric="bleu",
                    language=first.language,
                    src=first.source_language,
                    direction=direction,
                    value=bleu.score,
                    n=1,
                    tasks=len(pairs),
                    signature=bleu.signature,
                )
            )
    return scores, tasks
