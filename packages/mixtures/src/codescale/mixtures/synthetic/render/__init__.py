"""One renderer per language id; ``render(program, language)`` is the only entry point the generator needs."""

from __future__ import annotations

from codescale.mixtures.synthetic.ir import Program
from codescale.mixtures.synthetic.render.base import Renderer
from codescale.mixtures.synthetic.render.csharp import CSharpRenderer
from codescale.mixtures.synthetic.render.go import GoRenderer
from codescale.mixtures.synthetic.render.java import JavaRenderer
from codescale.mixtures.synthetic.render.javascript import JavaScriptRenderer
from codescale.mixtures.synthetic.render.python import PythonRenderer
from codescale.mixtures.synthetic.render.rust import RustRenderer
from codescale.mixtures.synthetic.render.typescript import TypeScriptRenderer

RENDERERS: dict[str, type[Renderer]] = {
    "python": PythonRenderer,
    "java": JavaRenderer,
    "javascript": JavaScriptRenderer,
    "typescript": TypeScriptRenderer,
    "csharp": CSharpRenderer,
    "go": GoRenderer,
    "rust": RustRenderer,
}


def render(program: Program, language: str) -> str:
    """Source code of ``program`` in ``language`` (a canonical id from ``codescale.core.domains``)."""
    return RENDERERS[language]().render(program)


__all__ = ["RENDERERS", "render"]
