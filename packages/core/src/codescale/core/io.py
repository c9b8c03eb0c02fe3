"""Files that readers can trust: atomic replacement, and JSON objects read with located errors.

The model: a file codescale rewrites (a run's status, a plan, a manifest, a lease) is never seen half-written. The
new content goes to a temporary file in the same directory, which is renamed over the target; a crash leaves the
old file or the new one, and at worst a stray ``.NAME.*.tmp`` beside it. ``durable=True`` also fsyncs the content
before the rename, for state changes that must survive a power loss; progress updates skip it (the rename alone is
atomic for readers).

The new file gets the permissions a plain ``open(path, "w")`` would give (the target's own mode when it exists,
else 0666 less the umask), not the private 0600 of a temporary file: prepared corpora and run directories are read
by other users of a cluster.

Append-only files (``metrics.jsonl``) are not written here: their writer flushes each line, and readers drop a
torn last line.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from codescale.core.errors import CodescaleError

_UMASK = os.umask(0o022)
os.umask(_UMASK)  # read once, at import (os.umask can only be read by setting it)


def _mode_for(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        return 0o666 & ~_UMASK


def atomic_write_text(path: str | Path, text: str, *, durable: bool = False) -> None:
    """Replace ``path`` with ``text`` through a temporary file in the same directory and a rename."""
    atomic_write_lines(path, (text,), durable=durable)


def atomic_write_lines(path: str | Path, lines: Iterable[str], *, durable: bool = False) -> None:
    """Replace ``path`` with the concatenated ``lines`` (streamed, so large files need no copy in memory)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, _mode_for(path))
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.writelines(lines)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def dumps_json(data: Any, *, indent: int | None = 2, compact: bool = False) -> str:
    """The one JSON spelling of codescale's files: ``indent`` spaces (or one line with ``compact``), a final newline."""
    if compact:
        return json.dumps(data, separators=(",", ":")) + "\n"
    return json.dumps(data, indent=indent) + "\n"


def write_json_atomic(
    path: str | Path, data: Any, *, indent: int | None = 2, compact: bool = False, durable: bool = False
) -> None:
    """Atomically replace ``path`` with ``data`` as JSON (see :func:`dumps_json` for the spelling)."""
    atomic_write_text(path, dumps_json(data, indent=indent, compact=compact), durable=durable)


def read_json_object(path: str | Path, *, what: str = "file", hint: str | None = None) -> dict[str, Any]:
    """A JSON object from ``path``; every failure is a CodescaleError naming the file (and line, for bad JSON)."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CodescaleError(f"{what} not found", source=path, hint=hint) from None
    except json.JSONDecodeError as err:
        raise CodescaleError(
            f"not valid JSON: {err.msg}", source=path, line=err.lineno, column=err.colno, hint=hint
        ) from None
    except (OSError, UnicodeDecodeError) as err:
        raise CodescaleError(f"cannot read {what}: {err}", source=path, hint=hint) from None
    if not isinstance(data, dict):
        raise CodescaleError(f"{what} must hold a JSON object, not {type(data).__name__}", source=path, hint=hint)
    return data
