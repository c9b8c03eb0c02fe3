"""Sweeps: how one spec document becomes many sweep points.

A ``sweep`` is a block or a list of blocks; the points of several blocks are concatenated. In one block:

- ``product: {field.path: [v1, v2, ...]}`` — every combination of the axes (the first axis varies slowest);
- ``zip: {field.path: [...]}`` — lists of equal length that advance together; crossed with the product;
- ``include: [{field.path: value}, ...]`` — keep only points matching at least one entry (all its keys);
- ``exclude: [...]`` — drop points matching any entry;
- ``name: "{mixture.uniform}-{model.size}"`` — the run name template; placeholders are field paths of the point.

A field path names a spec field through its sections (``model.size``, ``training.lr``,
``mixture.proportions``). A point is the document with each axis value written at its path; nothing else changes.
The point remembers which sweep entry supplied each value, so a bad value is reported at its line in the sweep.

Size: :func:`count` multiplies the axis lengths (before include/exclude) without making a point, so a sweep of a
million combinations is refused at once when it is over the limit (``max_runs``, default :data:`DEFAULT_MAX_RUNS`);
:func:`expand` checks every block, then makes the points one at a time.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, get_args

from pydantic import BaseModel

from codescale.compiler.spec import Spec
from codescale.core.errors import CodescaleError, CodescaleErrors
from codescale.core.yaml_source import Path_, SourceMap

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
DEFAULT_MAX_RUNS = 100_000
"""Most sweep points (counted before include/exclude) a spec may expand into unless the caller allows more."""


@dataclass
class Point:
    """One combination of sweep values applied to the spec document."""

    data: dict[str, Any]
    axes: dict[str, Any] = field(default_factory=dict)
    redirects: dict[Path_, Path_] = field(default_factory=dict)
    name_template: str | None = None
    name_path: Path_ = ()


def _blocks(document: dict[str, Any]) -> list[tuple[Path_, dict[str, Any]]]:
    sweep = document.get("sweep")
    if sweep is None:
        return []
    if isinstance(sweep, list):
        return [(("sweep", i), block) for i, block in enumerate(sweep)]
    return [(("sweep",), sweep)]


def block_size(block: dict[str, Any]) -> int:
    """Points of one block before include/exclude: the product of the product axes' lengths times the zip length."""
    product = block.get("product") or {}
    zipped = block.get("zip") or {}
    size = math.prod(len(values) for values in product.values())
    if zipped:
        size *= min(len(values) for values in zipped.values())
    return size


def count(document: dict[str, Any]) -> int:
    """Sweep points of a spec document before include/exclude, computed from the axis lengths alone."""
    blocks = _blocks(document)
    return sum(block_size(block) for _, block in blocks) if document.get("sweep") is not None else 1


def check_size(document: dict[str, Any], smap: SourceMap, max_runs: int = DEFAULT_MAX_RUNS) -> int:
    """The number of sweep points (before include/exclude); a CodescaleError at the sweep if it is over ``max_runs``."""
    total = count(document)
    if total > max_runs:
        sizes = [block_size(block) for _, block in _blocks(document)]
        where: Path_ = ("sweep",)
        if len(sizes) > 1:
            where = ("sweep", max(range(len(sizes)), key=sizes.__getitem__))
        raise smap.error(
            where,
            f"the sweep expands into {total:,} points (counted before include/exclude), over the "
            f"limit of {max_runs:,} runs",
            "shrink the sweep, or raise the limit with --max-runs N",
            key=True,
        )
    return total


def expand(document: dict[str, Any], smap: SourceMap) -> Iterator[Point]:
    """All sweep points of a spec document (one point, the document itself, when it has no sweep).

    Every block is checked (axis paths, zip lengths, include/exclude keys) before the first point is made, and all
    their errors are raised together; the points are then made one at a time, as they are consumed."""
    base = {k: v for k, v in document.items() if k != "sweep"}
    default_name = document.get("name") if isinstance(document.get("name"), str) else None
    if document.get("sweep") is None:
        return iter([Point(data=base, name_template=default_name, name_path=("name",))])
    blocks = _blocks(document)
    errors: list[CodescaleError] = []
    for where, block in blocks:
        try:
            _check_block(block, where, smap)
        except CodescaleError as err:
            errors.extend(getattr(err, "errors", [err]))
    if errors:
        raise CodescaleErrors(errors)
    return itertools.chain.from_iterable(_block_points(base, block, where, default_name) for where, block in blocks)


def _check_block(block: dict[str, Any], where: Path_, smap: SourceMap) -> None:
    product = block.get("product") or {}
    zipped = block.get("zip") or {}
    for section, axes in (("product", product), ("zip", zipped)):
        for path_text, values in axes.items():
            at = where + (section, path_text)
            _check_path(path_text, at, smap)
            if not values:
                raise smap.error(at, "an axis needs at least one value", "list the values, or remove the axis")
    lengths = {len(v) for v in zipped.values()}
    if len(lengths) > 1:
        sizes = ", ".join(f"{p}: {len(v)}" for p, v in zipped.items())
        raise smap.error(
            where + ("zip",), f"zipped axes have different lengths ({sizes})", "give every zip axis as many values"
        )
    axis_names = list(product) + list(zipped)
    for kind in ("include", "exclude"):
        for i, entry in enumerate(block.get(kind) or []):
            for key in entry:
                if key not in axis_names:
                    raise smap.error(
                        where + (kind, i, key),
                        f"{key!r} is not an axis of this sweep block",
                        f"axes: {', '.join(axis_names) or 'none'}",
                        key=True,
                    )


def _block_points(
    base: dict[str, Any], block: dict[str, Any], where: Path_, default_name: str | None
) -> Iterator[Point]:
    product = block.get("product") or {}
    zipped = block.get("zip") or {}
    product_choices = [[(p, i, v) for i, v in enumerate(values)] for p, values in product.items()]
    zip_rows = (
        list(zip(*[[(p, i, v) for i, v in enumerate(values)] for p, values in zipped.items()])) if zipped else [()]
    )
    template = block.get("name") if isinstance(block.get("name"), str) else default_name
    name_path = where + ("name",) if isinstance(block.get("name"), str) else ("name",)
    for combo in itertools.product(*product_choices):
        for row in zip_rows:
            chosen = list(combo) + list(row)
            axes = {p: v for p, _, v in chosen}
            if block.get("include") is not None and not any(_matches(axes, e) for e in block["include"]):
                continue
            if any(_matches(axes, e) for e in block.get("exclude") or []):
                continue
            data = base
            redirects: dict[Path_, Path_] = {}
            for path_text, index, value in chosen:
                path = tuple(path_text.split("."))
                data = _set(data, path, value)
                section = "product" if path_text in product else "zip"
                redirects[path] = where + (section, path_text, index)
            yield Point(data=data, axes=axes, redirects=redirects, name_template=template, name_path=name_path)


def _check_path(path_text: str, at: Path_, smap: SourceMap) -> None:
    """A swept path must name a spec field (or a key inside a mapping field such as mixture.proportions)."""
    parts = path_text.split(".")
    model: type[BaseModel] | None = Spec
    for depth, part in enumerate(parts):
        if model is None:
            return  # inside a free mapping (proportions, max_epochs, by_size): any key
        if part not in model.model_fields or part == "sweep" or (depth == 0 and part == "study"):
            known = ", ".join(k for k in model.model_fields if k not in ("sweep",))
            raise smap.error(at, f"{path_text!r} is not a field that can be swept", f"fields here: {known}", key=True)
        if depth == 1 and parts[0] == "budget" and part == "gpu_hours":
            raise smap.error(
                at, "budget.gpu_hours limits the whole spec and cannot be swept", "set it once under budget", key=True
            )
        model = submodel(model.model_fields[part].annotation)


def submodel(annotation: Any) -> type[BaseModel] | None:
    candidates = [annotation, *get_args(annotation)]
    for candidate in candidates:
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _set(data: dict[str, Any], path: Path_, value: Any) -> dict[str, Any]:
    """A copy of ``data`` with ``value`` at ``path``; only the dicts along the path are copied."""
    head, rest = path[0], path[1:]
    copy = dict(data)
    if rest:
        inner = data.get(head)
        copy[head] = _set(inner if isinstance(inner, dict) else {}, rest, value)
    else:
        copy[head] = value
    return copy


def swept_paths(document: dict[str, Any]) -> set[Path_]:
    """The field paths any sweep axis sets (``("model", "size")``)."""
    paths: set[Path_] = set()
    for _, block in _blocks(document):
        for section in ("product", "zip"):
            axes = block.get(section) if isinstance(block, dict) else None
            if isinstance(axes, dict):
                paths.update(tuple(str(axis).split(".")) for axis in axes)
    return paths


def matching_entry(document: dict[str, Any], axis: str, value: Any) -> Path_ | None:
    """Where a compiled run's swept ``axis: value`` was written: the path of the first sweep entry of that axis with
    an equal value (``("sweep", 1, "product", "model.size", 2)``), or None."""
    for where, block in _blocks(document):
        if not isinstance(block, dict):
            continue
        for section in ("product", "zip"):
            values = (block.get(section) or {}).get(axis) if isinstance(block.get(section), dict) else None
            if isinstance(values, list):
                for index, candidate in enumerate(values):
                    if _normal(candidate) == _normal(value):
                        return where + (section, axis, index)
    return None


def _normal(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str).lower()


def _matches(axes: dict[str, Any], entry: dict[str, Any]) -> bool:
    return all(key in axes and _normal(axes[key]) == _normal(value) for key, value in entry.items())


def value_text(value: Any) -> str:
    """How a value reads inside a run name: lists joined with '+', mappings as key+value pairs."""
    if isinstance(value, list):
        return "+".join(value_text(v) for v in value)
    if isinstance(value, dict):
        return "-".join(f"{k}{value_text(v)}" for k, v in value.items())
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def slug(text: str) -> str:
    """A run-name slug usable in a Python identifier after '-' -> '_': [a-z0-9_-], '.' between digits -> 'p'."""
    text = re.sub(r"(?<=\d)\.(?=\d)", "p", text.lower())
    text = re.sub(r"[^a-z0-9_]+", "-", text)
    text = re.sub(r"-{2,}", "-", text).strip("-_")
    return text or "run"


def run_name(point: Point, study: str, smap: SourceMap) -> str:
    """Fill the point's name template (or the default: study plus swept values) and slug it."""
    if point.name_template is None:
        parts = [study] + [value_text(v) for v in point.axes.values()]
        return slug("-".join(parts))

    def fill(match: re.Match[str]) -> str:
        key = match.group(1).strip()
        if key == "study":
            return study
        if key in point.axes:
            return value_text(point.axes[key])
        node: Any = point.data
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                raise smap.error(
                    point.name_path,
                    f"name template refers to {{{key}}}, which this run does not set",
                    "use a swept field path or a field written in the spec",
                )
            node = node[part]
        return value_text(node)

    return slug(_PLACEHOLDER.sub(fill, point.name_template))
