"""YAML with positions: every value of a spec keeps the line and column it was written at.

A spec is loaded in two steps. PyYAML *composes* the text into a node tree (each node carries its start mark), and
:func:`parse_yaml` turns that tree into plain Python values (dict, list, str, int, float, bool, None) while recording,
for every path of keys and list indices, where the value and (for mapping entries) the key were written. Validation
errors are raised against *paths* (``("mixture", "proportions", "pyton")``); :meth:`SourceMap.locate` maps a path
back to ``file:line:col``, falling back to the nearest enclosing node when the path goes deeper than the document
(a missing field is reported where its parent mapping starts).

A value substituted by a sweep does not live where the spec's body would put it: :class:`PointMap` redirects a
path prefix (``("model", "size")``) to the sweep entry that supplied the value, so errors point at the sweep line.

Every failure here is a :class:`~codescale.core.errors.CodescaleError` with a line and column: syntax errors,
duplicate keys, non-scalar keys, unknown tags, several documents in one file, bytes that are not UTF-8 and characters
YAML does not allow (control characters, NUL).

Bounds. Aliases make a small text describe a huge tree (a 500-byte "billion laughs" alias bomb expands to 10^9
values), and building that tree is what would take the time and memory. So before anything is built, one pass over
the parser's events computes the size of the document *as it would be expanded*: every alias counts the values of
the node it names. A document over :data:`MAX_VALUES` values, nested deeper than :data:`MAX_DEPTH` levels, or with
an alias to a node that contains it (a recursive alias) is refused at the alias (or value) that crosses the bound.
That pass costs about as much as parsing, and nothing is ever expanded beyond the bounds.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from codescale.core.errors import CodescaleError

Path_ = tuple[Any, ...]
Position = tuple[int, int]  # 1-based (line, column)

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_DEPTH = 64
"""Deepest nesting of mappings and lists a document may have (after aliases are expanded)."""
MAX_VALUES = 100_000
"""Most values (scalars, mappings, lists) a document may hold once its aliases are expanded; a spec has hundreds."""
# What YAML 1.1 accepts in a stream (PyYAML's Reader.NON_PRINTABLE, inverted): tab, line breaks, printable characters.
_NOT_ALLOWED = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class SourceMap:
    """Where each value (and each mapping key) of a parsed document was written."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.values: dict[Path_, Position] = {}
        self.keys: dict[Path_, Position] = {}

    def locate(self, path: Path_, *, key: bool = False) -> tuple[Path_, Position | None]:
        """The longest prefix of ``path`` that exists in the document and its position.

        Path elements that are not in the document (pydantic's union tags, ``[key]`` markers, missing fields) are
        skipped, so a location is always an existing node. ``key=True`` prefers the mapping key's position.
        """
        found: Path_ = ()
        for element in path:
            candidate = found + (element,)
            if candidate in self.values:
                found = candidate
            elif element == "[key]":
                key = True
        if not found:
            return (), self.values.get(())
        if key and found in self.keys:
            return found, self.keys[found]
        return found, self.values.get(found)

    def error(self, path: Path_, message: str, hint: str | None = None, *, key: bool = False) -> CodescaleError:
        """A CodescaleError located at ``path`` whose field is the dotted path."""
        _, pos = self.locate(path, key=key)
        line, column = pos if pos else (None, None)
        return CodescaleError(message, source=self.source, line=line, column=column, field=self.field(path), hint=hint)

    def field(self, path: Path_) -> str:
        """The dotted field path, without pydantic's union tags (path elements the document does not have,
        except a last one: the name of a missing field)."""
        kept: list[Any] = []
        for i, element in enumerate(path):
            if self.has(tuple(kept) + (element,)) or i == len(path) - 1:
                kept.append(element)
        return dotted(tuple(kept))

    def has(self, path: Path_) -> bool:
        return path in self.values


class PointMap(SourceMap):
    """A source map for one sweep point: some path prefixes are redirected to the sweep entries that set them."""

    def __init__(self, base: SourceMap, redirects: dict[Path_, Path_]) -> None:
        self.base = base
        self.source = base.source
        self.redirects = redirects

    def has(self, path: Path_) -> bool:
        for i in range(len(path), 0, -1):
            target = self.redirects.get(tuple(path[:i]))
            if target is not None:
                return self.base.has(target + tuple(path[i:]))
        return self.base.has(path)

    def locate(self, path: Path_, *, key: bool = False) -> tuple[Path_, Position | None]:
        for i in range(len(path), 0, -1):
            target = self.redirects.get(tuple(path[:i]))
            if target is not None:
                return self.base.locate(target + tuple(path[i:]), key=key)
        return self.base.locate(path, key=key)


def dotted(path: Path_) -> str:
    """``("mixture", "proportions", "python")`` -> ``mixture.proportions.python``; list indices as ``[i]``."""
    text = ""
    for element in path:
        if element == "[key]":
            continue
        if isinstance(element, int):
            text += f"[{element}]"
        else:
            text += ("." if text else "") + str(element)
    return text


def read_source(path: str | Path, name: str) -> bytes:
    """The bytes of a source file, with a CodescaleError naming ``name`` when it cannot be read."""
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise CodescaleError("file not found", source=name, hint="check the path") from None
    except IsADirectoryError:
        raise CodescaleError("is a directory, expected a YAML file", source=name) from None
    except OSError as err:
        raise CodescaleError(f"cannot read file: {err.strerror}", source=name) from None


def load_yaml(path: str | Path, display: str | None = None, raw: bytes | None = None) -> tuple[Any, SourceMap]:
    """Read and parse a YAML file; ``display`` is the name errors use (default: the path as given).

    ``raw``: the file's bytes when the caller already read them (e.g. to hash them), so the file is read once.
    """
    name = display or str(path)
    if raw is None:
        raw = read_source(path, name)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        line_start = raw.rfind(b"\n", 0, err.start) + 1
        column = len(raw[line_start : err.start].decode("utf-8", errors="replace")) + 1
        raise CodescaleError(
            f"not UTF-8 text: byte 0x{raw[err.start]:02x} at byte offset {err.start} ({err.reason})",
            source=name,
            line=line,
            column=column,
            hint="save the file as UTF-8 (binary junk or a file in another encoding?)",
        ) from None
    return parse_yaml(text, name)


def parse_yaml(text: str, source: str = "<string>") -> tuple[Any, SourceMap]:
    """Parse one YAML document into plain values plus its :class:`SourceMap`."""
    smap = SourceMap(source)
    bad = _NOT_ALLOWED.search(text)
    if bad is not None:
        at = bad.start()
        line, column = text.count("\n", 0, at) + 1, at - text.rfind("\n", 0, at)
        char = ord(bad.group())
        kind = "NUL" if char == 0 else "a control character" if char < 0x20 or 0x7F <= char < 0xA0 else "a character"
        raise CodescaleError(
            f"{kind} (U+{char:04X}) is not allowed in YAML",
            source=source,
            line=line,
            column=column,
            hint="delete it; YAML allows tabs, line breaks and printable text only",
        )
    try:
        _check_bounds(text, source)
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except CodescaleError:
        raise
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        problem = (err.problem or err.context or "invalid YAML").strip()
        if problem.startswith("but ") and err.context:  # "expected a single document ... but found another document"
            problem = f"{err.context.strip()} {problem}"
        raise CodescaleError(
            f"invalid YAML: {problem}",
            source=source,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
            hint="fix the YAML syntax",
        ) from None
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as err:
        raise CodescaleError(f"invalid YAML: {err}".splitlines()[0], source=source) from None
    if node is None:  # empty, or only comments: the document "starts" at the top of the file
        smap.values[()] = (1, 1)
        return None, smap
    constructor = yaml.SafeLoader("")  # only its scalar constructors are used
    value = _build(node, (), smap, constructor, 0)
    return value, smap


def _check_bounds(text: str, source: str) -> None:
    """One pass over the parse events: refuse a document whose expansion is too big or too deep, or that has a
    recursive or duplicate anchor, at the alias or value where it happens (see the module docstring)."""
    sizes: dict[str, tuple[int, int]] = {}  # anchor -> (values, height) of the finished node it names
    anchored_at: dict[str, Any] = {}
    stack: list[list[Any]] = []  # open collections: [values so far, height so far, anchor]
    total = 0

    def refuse(event: Any, message: str, hint: str) -> CodescaleError:
        mark = event.start_mark
        return CodescaleError(message, source=source, line=mark.line + 1, column=mark.column + 1, hint=hint)

    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.CollectionEndEvent):
            values, height, anchor = stack.pop()
            if anchor is not None:
                sizes[anchor] = (values, height)
            if stack:
                stack[-1][0] += values
                stack[-1][1] = max(stack[-1][1], height + 1)
            continue
        if not isinstance(event, yaml.NodeEvent):
            continue
        anchor = event.anchor
        if isinstance(event, yaml.AliasEvent):
            if any(entry[2] == anchor for entry in stack):
                raise refuse(
                    event,
                    f"alias *{anchor} refers to a node that contains it (a recursive alias)",
                    "write the value out instead of referring to its own parent",
                )
            values, height = sizes.get(anchor or "", (1, 0))  # an undefined alias is the composer's error
        else:
            if anchor is not None and anchor in anchored_at:
                first = anchored_at[anchor]
                raise refuse(
                    event,
                    f"anchor &{anchor} is defined twice (first on line {first.line + 1})",
                    "give the second anchor another name",
                )
            if anchor is not None:
                anchored_at[anchor] = event.start_mark
            values, height = 1, 0
        total += values
        if total > MAX_VALUES:
            what = f"alias *{anchor} expands" if isinstance(event, yaml.AliasEvent) else "the document expands"
            raise refuse(
                event,
                f"{what} past {MAX_VALUES:,} values (an alias bomb?)",
                "write the values out, or use fewer aliases of large nodes",
            )
        if len(stack) + height > MAX_DEPTH:
            raise refuse(event, f"nesting deeper than {MAX_DEPTH} levels", "flatten the document")
        if isinstance(event, yaml.CollectionStartEvent):
            stack.append([1, 0, anchor])
            continue
        if isinstance(event, yaml.ScalarEvent) and anchor is not None:
            sizes[anchor] = (1, 0)
        if stack:
            stack[-1][0] += values
            stack[-1][1] = max(stack[-1][1], height + 1)


def _mark(node: yaml.Node) -> Position:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _build(node: yaml.Node, path: Path_, smap: SourceMap, constructor: Any, depth: int) -> Any:
    smap.values[path] = _mark(node)
    if depth > MAX_DEPTH:  # unreachable after _check_bounds; kept so _build can never recurse without limit
        raise smap.error(path, f"nesting deeper than {MAX_DEPTH} levels")
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                line, col = _mark(key_node)
                raise CodescaleError(
                    "mapping keys must be plain scalars", source=smap.source, line=line, column=col, field=dotted(path)
                )
            if key_node.tag == "tag:yaml.org,2002:merge":
                line, col = _mark(key_node)
                raise CodescaleError(
                    "YAML merge keys (<<) are not supported in specs",
                    source=smap.source,
                    line=line,
                    column=col,
                    field=dotted(path),
                    hint="write the fields out",
                )
            key = _scalar(key_node, path, smap, constructor)
            if not isinstance(key, (str, int, float, bool)) or key is None:
                key = str(key)
            child = path + (key,)
            if key in result:
                line, col = _mark(key_node)
                first = smap.keys.get(child, (None, None))[0]
                raise CodescaleError(
                    f"duplicate key {key!r} (first written on line {first})",
                    source=smap.source,
                    line=line,
                    column=col,
                    field=dotted(child),
                    hint="keep one of them",
                )
            smap.keys[child] = _mark(key_node)
            result[key] = _build(value_node, child, smap, constructor, depth + 1)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, path + (i,), smap, constructor, depth + 1) for i, item in enumerate(node.value)]
    return _scalar(node, path, smap, constructor)


def _scalar(node: yaml.Node, path: Path_, smap: SourceMap, constructor: Any) -> Any:
    try:
        return constructor.construct_object(node, deep=True)
    except yaml.MarkedYAMLError as err:
        line, col = _mark(node)
        problem = (err.problem or "cannot read this value").strip()
        raise CodescaleError(
            f"invalid YAML value: {problem}", source=smap.source, line=line, column=col, field=dotted(path) or None
        ) from None
    except (ValueError, TypeError, OverflowError, yaml.YAMLError) as err:
        line, col = _mark(node)
        raise CodescaleError(
            f"invalid YAML value: {err}".splitlines()[0],
            source=smap.source,
            line=line,
            column=col,
            field=dotted(path) or None,
        ) from None
