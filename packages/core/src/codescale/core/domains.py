"""The vocabulary of domains: the seven programming languages built in, and any other name a study mixes.

A language has a canonical id (lower-case, used in file names, run ids, SQL and JSON), a display name, a file
extension and aliases users may write in specs. Adding a language is one line in ``LANGUAGES``; every other module
(spec validation, corpus catalogs, the synthetic generator's registry, the laws' presets) reads this table.

A *domain* is anything a study trains on or evaluates: one of the languages, or any other named data source (a Pile
subset such as ``Pile-CC``, ``ArXiv``, ``FineWeb-Edu``...). The stages that build corpora and train (specs,
catalogs, the synthetic generator) know only the languages and use :func:`canonical`; the analysis (import, the
results store, fits, validation, allocation) accepts every domain through :func:`domain_id`:

- a language name or alias becomes the language's id (``Py`` -> ``python``, ``C#`` -> ``csharp``);
- any other name is normalised so that two spellings of one source meet: surrounding space stripped, lower-cased,
  runs of characters other than letters, digits, ``.``, ``+`` and ``-`` replaced by one ``_`` (``Pile-CC`` ->
  ``pile-cc``, ``DM Mathematics`` -> ``dm_mathematics``, ``the_pile/ArXiv`` -> ``the_pile_arxiv``).

The normalised id is what SQL sees (``final_loss.language``) and what parameter names carry (``t:pile-cc``). An empty
name, or one with nothing left after normalising, is an error.
"""

from __future__ import annotations

import re
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


_NOT_ID = re.compile(r"[^a-z0-9.+\-]+")


def is_language(name: str) -> bool:
    """Whether ``name`` is one of the built-in languages (or an alias of one)."""
    return str(name).strip().lower() in _LOOKUP


def domain_id(name: str) -> str:
    """The canonical id of a domain: a language's id for a language name or alias, else the normalised name."""
    text = str(name).strip()
    key = text.lower()
    if key in _LOOKUP:
        return _LOOKUP[key]
    ident = _NOT_ID.sub("_", key).strip("_")
    if not ident:
        raise CodescaleError(
            f"{name!r} is not a usable domain name",
            hint="a domain needs at least one letter or digit, e.g. Pile-CC, arxiv, python",
        )
    return ident


def domain_display(domain: str) -> str:
    """How a domain is shown: the language's display name (``C#``), or the domain id itself."""
    lang = BY_ID.get(domain)
    return lang.display if lang else domain
