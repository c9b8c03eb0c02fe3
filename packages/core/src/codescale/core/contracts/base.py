"""What every artifact contract shares: the format ids, the version rule, and turning a bad file into a located error.

**Format ids.** Every file codescale writes for another stage carries ``"format": "codescale.<artifact>/<major>"``.
The ids live in :data:`FORMATS` and nowhere else. A reader accepts the same artifact with the same major version
(``codescale.run/1`` and a later ``codescale.run/1.3`` alike) and refuses another major with a CodescaleError that
says which version it reads; a writer always writes the current id. Bumping a major version is a deliberate change
to the writer, the reader and ``docs/architecture.md`` together.

**Models.** Each artifact is one pydantic model (:class:`Contract`). Its fields are declared in the order they are
written, so ``model.to_json()`` is byte-identical to what the dict-based writers produced before the models existed
(run ids hash that text). Unknown fields are kept (``extra="allow"``): a newer minor version may add one, and a
read-modify-write by an older codescale must not drop it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from codescale.core.errors import CodescaleError, CodescaleErrors
from codescale.core.io import read_json_object

FORMATS: dict[str, str] = {
    "run": "codescale.run/1",
    "plan": "codescale.plan/1",
    "mixture": "codescale.mixture/1",
    "prepared": "codescale.prepared/1",
    "status": "codescale.status/1",
    "rundir": "codescale.rundir/1",
    "allocation": "codescale.allocation/1",
    "submission": "codescale.submission/1",
}
"""artifact -> its current format id (``name/major``)."""

M = TypeVar("M", bound="Contract")


class Contract(BaseModel):
    """Base of the artifact models: fields in file order, unknown fields kept, assignment validated."""

    model_config = ConfigDict(extra="allow", validate_assignment=False, protected_namespaces=())

    ARTIFACT: ClassVar[str | None] = None
    """Key in :data:`FORMATS` of a top-level artifact (one with a ``format`` field), else None."""

    def to_dict(self) -> dict[str, Any]:
        """The plain JSON-able value, fields in declaration order (what the file holds)."""
        return self.model_dump(mode="python")

    def to_json(self, *, compact: bool = True, indent: int = 2) -> str:
        """The file's text: one line (``compact``, for files programs read) or indented, with a final newline."""
        if compact:
            return json.dumps(self.to_dict(), separators=(",", ":")) + "\n"
        return json.dumps(self.to_dict(), indent=indent) + "\n"

    @classmethod
    def from_dict(cls: type[M], data: dict[str, Any], *, source: str | Path | None = None) -> M:
        """Validate a parsed file; every problem becomes a CodescaleError naming the file and the dotted field."""
        if cls.ARTIFACT is not None:
            check_format(data.get("format"), FORMATS[cls.ARTIFACT], source)
        try:
            return cls.model_validate(data)
        except ValidationError as err:
            raise validation_errors(err, source, what=cls.ARTIFACT or cls.__name__) from None

    @classmethod
    def read(cls: type[M], path: str | Path, *, hint: str | None = None) -> M:
        """Read and validate the artifact at ``path`` (the one reader of this artifact)."""
        what = f"{cls.ARTIFACT} file" if cls.ARTIFACT else "file"
        return cls.from_dict(read_json_object(path, what=what, hint=hint), source=path)


def check_format(value: Any, expected: str, source: str | Path | None) -> None:
    """Refuse a file of another artifact, or of a major version this codescale does not read."""
    name, _, major = expected.partition("/")
    if not isinstance(value, str) or value.partition("/")[0] != name:
        raise CodescaleError(
            f"format is {value!r}, expected {expected!r}",
            source=source,
            field="format",
            hint=f"this is not a {name.removeprefix('codescale.')} file written by codescale",
        )
    if value.partition("/")[2].split(".")[0] != major:
        raise CodescaleError(
            f"format {value!r} is a version this codescale cannot read (it reads {expected})",
            source=source,
            field="format",
            hint="use the codescale version that wrote it, or upgrade",
        )


_EXPECTED = {
    "int_type": "an integer",
    "int_parsing": "an integer",
    "int_from_float": "an integer",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "string_type": "a string",
    "dict_type": "an object",
    "list_type": "a list",
    "model_type": "an object",
    "model_attributes_type": "an object",
}


def friendly_message(error: Mapping[str, Any]) -> str:
    """One pydantic error as a short sentence: ``expected an integer, got 'a lot'``."""
    kind = error["type"]
    if kind == "missing":
        return "missing"
    if kind in _EXPECTED:
        return f"expected {_EXPECTED[kind]}, got {_short(error.get('input'))}"
    if kind == "literal_error":
        return f"{error['msg'].removeprefix('Input should be ').replace('should be', 'must be')}, got {_short(error.get('input'))}".replace(
            "Input ", ""
        )
    return error["msg"].removeprefix("Value error, ")


def _short(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def validation_errors(err: ValidationError, source: str | Path | None, *, what: str) -> CodescaleError:
    """A pydantic error on a parsed file as located CodescaleErrors (one per field, deduplicated)."""
    errors: dict[str, CodescaleError] = {}
    for e in err.errors(include_url=False):
        field = ".".join(str(p) for p in e["loc"]) or None
        message = friendly_message(e)
        item = CodescaleError(
            f"{message} (in a {what} file)",
            source=source,
            field=field,
            hint="the file is damaged or from another tool; rewrite it with codescale",
        )
        errors.setdefault(item.render(), item)
    found = list(errors.values())
    return found[0] if len(found) == 1 else CodescaleErrors(found)
