"""The project's one error type.

Every failure a user can cause (a bad spec, a missing corpus file, a corrupt run directory, a fit on an empty
selection) is raised as :class:`CodescaleError`. It carries *where* (file, line, column), *what* (the field path) and
*what to do* (a hint), and renders as one line the CLI prints without a traceback::

    specs/x.yaml:12:5 mixture.proportions: proportions sum to 0.97; they must sum to 1 (rescale or add the missing language)

Anything else escaping to the CLI is a bug in codescale, and the CLI shows the traceback for it.
"""

from __future__ import annotations

from pathlib import Path


class CodescaleError(Exception):
    """A user-facing error with a location and a fix."""

    def __init__(
        self,
        message: str,
        *,
        source: str | Path | None = None,
        line: int | None = None,
        column: int | None = None,
        field: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.source = str(source) if source is not None else None
        self.line = line
        self.column = column
        self.field = field
        self.hint = hint
        super().__init__(self.render())

    @property
    def location(self) -> str:
        """``file:line:col`` (as much of it as is known), or an empty string."""
        if self.source is None:
            return ""
        loc = self.source
        if self.line is not None:
            loc += f":{self.line}"
            if self.column is not None:
                loc += f":{self.column}"
        return loc

    def render(self) -> str:
        parts = []
        if self.location:
            parts.append(self.location)
        if self.field:
            parts.append(f"{self.field}:")
        parts.append(self.message)
        text = " ".join(parts)
        if self.hint:
            text += f" ({self.hint})"
        return text


class CodescaleErrors(CodescaleError):
    """Several independent errors found in one pass (e.g. every invalid field of a spec), reported together."""

    def __init__(self, errors: list[CodescaleError]) -> None:
        if not errors:
            raise ValueError("CodescaleErrors needs at least one error")
        self.errors = list(errors)
        first = self.errors[0]
        super().__init__(
            first.message, source=first.source, line=first.line, column=first.column, field=first.field, hint=first.hint
        )

    def render(self) -> str:
        errors = getattr(self, "errors", None)
        if not errors:
            return super().render()
        return "\n".join(e.render() for e in errors)
