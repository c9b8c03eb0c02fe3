"""The closed vocabulary of programming languages.

A language has a canonical id (lower-case, used in file names, run ids, SQL and JSON), a display name, a file
extension and aliases users may write in specs. Adding a language is one line in ``LANGUAGES``; every other module
(spec validation, corpus catalogs, the synthetic generator's registry, the laws' presets) reads this table.
"""

from __future__ import annotations

from dataclasses import dataclass

from codescale.core.errors import CodescaleError


@dataclass(frozen=True)
class Language:
    id: str
    display: str
    extension: str
    aliases: tuple[str, ...] = ()


LANGUAGES: tuple[Language, ...] = (
    Language("python", "Python", ".py", ("py", "python3")),
    Language("java", "Java", ".java", ()),
    Language("javascript", "JavaScript", ".js", ("js", "node", "nodejs", "ecmascript")),
    Language("typescript", "TypeScript", ".ts", ("ts",)),
    Language("csharp", "C#", ".cs", ("c#", "cs", "c-sharp", "c_sharp")),
    Language("go", "Go", ".go", ("golang",)),
    Language("rust", "Rust", ".rs", ("rs",)),
)

LANGUAGE_IDS: tuple[str, ...] = tuple(lang.id for lang in LANGUAGES)
BY_ID: dict[str, Language] = {lang.id: lang for lang in LANGUAGES}
_LOOKUP: dict[str, str] = {}
for _lang in LANGUAGES:
    for _name in (_lang.id, _lang.display, *_lang.aliases):
        _LOOKUP[_name.lower()] = _lang.id


def canonical(name: str) -> str:
    """Map a user-written language name or alias to its canonical id; raise a CodescaleError listing the known ones."""
    key = str(name).strip().lower()
    try:
        return _LOOKUP[key]
    except KeyError:
        known = ", ".join(lang.display for lang in LANGUAGES)
        raise CodescaleError(
            f"unknown language {name!r}",
            hint=f"known languages: {known} (aliases such as py, js, ts, c#, golang, rs work too)",
        ) from None


def display(lang_id: str) -> str:
    return BY_ID[lang_id].display


def direction_key(src: str, tgt: str) -> str:
    """The one spelling of a translation direction used in JSON, metrics and SQL: ``python->java``."""
    return f"{src}->{tgt}"
