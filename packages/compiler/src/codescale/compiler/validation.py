"""From pydantic's errors to the project's: every validation error located at ``file:line:col field``.

Pydantic reports a path (``loc``) per error; the spec's :class:`~codescale.core.yaml_source.SourceMap` turns the
path into a position (union tags and other path elements the document does not have are skipped). Messages are
made one-line and given a fix where one is known: an unknown field lists the fields of its section, a missing one
says which. :class:`Problems` collects the rules a resolved sweep point breaks, so all of them are reported at once.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from codescale.compiler.spec import Spec
from codescale.core.errors import CodescaleError, CodescaleErrors
from codescale.core.yaml_source import Path_, SourceMap

_UNION_TAGS = ("number", "rule")


class Problems:
    """Collects every broken rule of one sweep point, each located through the point's source map."""

    def __init__(self, smap: SourceMap) -> None:
        self.smap = smap
        self.errors: list[CodescaleError] = []

    def add(self, path: Path_, message: str, hint: str | None = None, *, key: bool = False) -> None:
        self.errors.append(self.smap.error(path, message, hint, key=key))

    def absorb(self, err: CodescaleError) -> None:
        self.errors.extend(getattr(err, "errors", [err]))


def validate(data: Any, smap: SourceMap) -> Spec:
    """Pydantic validation with every error mapped to file:line:col and a one-line message."""
    if not isinstance(data, dict):
        raise smap.error(
            (),
            "a spec must be a YAML mapping with study, mixture, model, budget, ...",
            "start from a file in specs/demo/",
        )
    try:
        return Spec.model_validate(data)
    except ValidationError as err:
        raise CodescaleErrors([pydantic_error(e, smap) for e in err.errors(include_url=False)]) from None


def body_errors(
    body: dict[str, Any], smap: SourceMap, swept: set[Path_]
) -> tuple[list[CodescaleError], list[CodescaleError]]:
    """The errors of a swept spec's body on its own, in two lists.

    ``swept`` holds the paths the sweep's axes set. An error away from them is an error of *every* sweep point (first
    list: no need to make a point to know the spec fails). An invalid value at a swept path is an error too, although
    each point overrides it (second list); a field missing from the body is not, when an axis supplies it."""
    try:
        Spec.model_validate(body)
    except ValidationError as err:
        every, overridden = [], []
        for e in err.errors(include_url=False):
            loc = _document_loc(tuple(e["loc"]), smap)
            near_axis = any(loc[: len(p)] == p or p[: len(loc)] == loc for p in swept)
            if not near_axis:
                every.append(pydantic_error(e, smap))
            elif e["type"] != "missing":
                overridden.append(pydantic_error(e, smap))
        return every, overridden
    return [], []


def _document_loc(loc: tuple[Any, ...], smap: SourceMap) -> tuple[Any, ...]:
    """A pydantic location without the tags of number-or-rule unions ("number", "rule"), which are not the document's."""
    return tuple(e for i, e in enumerate(loc) if e not in _UNION_TAGS or smap.has(loc[: i + 1]))


def pydantic_error(error: Any, smap: SourceMap) -> CodescaleError:
    loc = _document_loc(tuple(error["loc"]), smap)
    kind = error["type"]
    message = str(error["msg"]).removeprefix("Value error, ")
    hint = None
    if kind == "extra_forbidden":
        message = f"unknown field {loc[-1]!r}"
        hint = _known_fields(loc[:-1])
        return smap.error(loc, message, hint, key=True)
    if kind == "missing":
        message = f"required field {loc[-1]!r} is missing"
        return smap.error(loc, message)
    return smap.error(loc, message)


def _known_fields(loc: tuple[Any, ...]) -> str | None:
    from codescale.compiler.sweep import submodel

    model: Any = Spec
    for part in loc:
        if model is None:
            return None
        if part in getattr(model, "model_fields", {}):
            model = submodel(model.model_fields[part].annotation)
    if model is None:
        return None
    return "known fields: " + ", ".join(model.model_fields)
