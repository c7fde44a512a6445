"""YAML loading that keeps positions: every value and key remembers its line and column.

PyYAML's ``safe_load`` drops positions and silently keeps the last of duplicate keys, so
org.yaml is composed into nodes once and converted here, recording marks by path. Composing
uses LibYAML's parser when PyYAML has it (several times faster than the pure-Python one, with
the same nodes and marks) and the pure-Python parser otherwise.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from orgtf.errors import ConfigError, Problem

PathKey = tuple[str | int, ...]
MERGE_TAG = "tag:yaml.org,2002:merge"
MAX_FILE_BYTES = 10_000_000  # 10 MB: about 60,000 users, far beyond IAM's 5,000 per account
NESTING_PROBLEM = "exceeded maximum nesting depth"  # LibYAML's own limit (1,000 levels)
SAFE_LOADER: type[yaml.SafeLoader] | type[yaml.CSafeLoader] = (
    yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader
)


@dataclass(frozen=True, slots=True)
class Position:
    """A 1-based line and column in the source file."""

    line: int
    column: int


@dataclass(frozen=True, slots=True)
class Scalar:
    """How a scalar was written: its raw text and whether it was quoted."""

    text: str
    tag: str
    quoted: bool


@dataclass
class SourceMap:
    """Positions of the keys and values of one loaded file, by path from the root."""

    path: str
    values: dict[PathKey, Position] = field(default_factory=dict)
    keys: dict[PathKey, Position] = field(default_factory=dict)
    scalars: dict[PathKey, Scalar] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)  # found while reading, not fatal

    def position(self, path: PathKey, *, key: bool = False) -> Position:
        """The position of ``path`` (its key when ``key``), else of its nearest ancestor."""
        table = self.keys if key else self.values
        for depth in range(len(path), -1, -1):
            found = table.get(path[:depth]) or self.values.get(path[:depth])
            if found is not None:
                return found
        return Position(1, 1)

    def problem(self, path: PathKey, message: str, *, key: bool = False) -> Problem:
        """A Problem located at ``path``."""
        pos = self.position(path, key=key)
        return Problem(self.path, pos.line, pos.column, message)


def _pos(node: Node) -> Position:
    return Position(node.start_mark.line + 1, node.start_mark.column + 1)


MAX_VALUES = 1_000_000  # far above any real org.yaml; stops alias bombs ("billion laughs")
PLAIN_TAGS: dict[type[Node], str] = {
    MappingNode: "tag:yaml.org,2002:map",
    SequenceNode: "tag:yaml.org,2002:seq",
}


class _Converter:
    """Turns composed nodes into plain Python data, recording positions and problems.

    Problems (duplicate keys, unreadable values, recursive aliases) are collected rather than
    raised, so one run reports them together with the schema's own problems.
    """

    def __init__(self, source: SourceMap) -> None:
        self.source = source
        self.problems: list[Problem] = []
        self._constructor = SafeConstructor()
        self._open: set[int] = set()  # nodes being converted: an alias to one is recursive
        self._count = 0

    def _problem(self, node: Node, message: str) -> None:
        self.problems.append(Problem(self.source.path, *astuple(_pos(node)), message))

    def convert(self, node: Node, path: PathKey) -> Any:
        self._count += 1
        if self._count > MAX_VALUES:
            raise _TooLarge(node)
        self.source.values.setdefault(path, _pos(node))
        if isinstance(node, ScalarNode):
            return self._scalar(node, path)
        if id(node) in self._open:
            self._problem(node, "an alias refers to a mapping or list that contains it")
            return None
        plain = PLAIN_TAGS.get(type(node))
        if node.tag != plain:
            self._problem(node, f"unsupported YAML tag {node.tag!r}")
        self._open.add(id(node))
        try:
            if isinstance(node, MappingNode):
                return self._mapping(node, path)
            return [self.convert(item, (*path, i)) for i, item in enumerate(node.value)]
        finally:
            self._open.discard(id(node))

    def _scalar(self, node: ScalarNode, path: PathKey) -> Any:
        # Plain scalars have style None from PyYAML's parser and "" from LibYAML's.
        self.source.scalars[path] = Scalar(node.value, node.tag, bool(node.style))
        try:
            return self._constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, TypeError, AttributeError) as exc:
            reason = getattr(exc, "problem", None) or str(exc)
            self._problem(node, f"cannot read {node.value!r} as {node.tag}: {reason}")
            return node.value

    def _mapping(self, node: MappingNode, path: PathKey) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in self._pairs(node):
            key = self._key(key_node)
            if key is None:
                continue
            if key in result:
                first = self.source.keys[(*path, key)]
                self._problem(
                    key_node, f"duplicate key {key!r} (first defined at line {first.line})"
                )
                continue
            self.source.keys[(*path, key)] = _pos(key_node)
            result[key] = self.convert(value_node, (*path, key))
        return result

    def _pairs(self, node: MappingNode) -> Iterator[tuple[Node, Node]]:
        """Key/value pairs with YAML merge keys (``<<: *anchor``) expanded; explicit keys win."""
        explicit = [(k, v) for k, v in node.value if k.tag != MERGE_TAG]
        merged: list[tuple[Node, Node]] = []
        for key_node, value_node in node.value:
            if key_node.tag != MERGE_TAG:
                continue
            sources = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
            for source in sources:
                if isinstance(source, MappingNode):
                    merged.extend(source.value)
                else:
                    self._problem(source, "a merge key (<<) takes a mapping or a list of mappings")
        names = {k.value for k, _ in explicit if isinstance(k, ScalarNode)}
        seen: set[str] = set()
        for key_node, value_node in merged:
            if isinstance(key_node, ScalarNode) and not (
                key_node.value in names or key_node.value in seen
            ):
                seen.add(key_node.value)
                yield key_node, value_node
        yield from explicit

    def _key(self, key_node: Node) -> str | None:
        if isinstance(key_node, ScalarNode) and key_node.tag == "tag:yaml.org,2002:str":
            return str(key_node.value)
        if isinstance(key_node, ScalarNode):
            hint = f"; YAML reads {key_node.value} as a {key_node.tag.rsplit(':', 1)[-1]}: quote it"
            self._problem(key_node, f"mapping keys must be strings{hint}")
        else:
            self._problem(key_node, "mapping keys must be strings")
        return None


class _TooLarge(Exception):
    def __init__(self, node: Node) -> None:
        self.node = node


def astuple(pos: Position) -> tuple[int, int]:
    """(line, column) of a position."""
    return pos.line, pos.column


def _check_size(path: str, size: int) -> None:
    """Refuse a file over MAX_FILE_BYTES before parsing it: no real organization is that big."""
    if size > MAX_FILE_BYTES:
        message = (
            f"the file is {size / 1e6:.1f} MB ({size:,} bytes); orgtf reads org.yaml files of "
            f"at most {MAX_FILE_BYTES / 1e6:.0f} MB ({MAX_FILE_BYTES:,} bytes)"
        )
        raise ConfigError([Problem(path, 1, 1, message)])


def _char_offset(text: str, position: int) -> int:
    """The character offset of a reader error: LibYAML counts UTF-8 bytes, PyYAML characters."""
    if SAFE_LOADER is yaml.SafeLoader:
        return position
    return len(text.encode("utf-8")[:position].decode("utf-8", errors="ignore"))


def _offset_position(text: str, offset: int) -> tuple[int, int]:
    """1-based (line, column) of a character offset in ``text``."""
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


def load_yaml_text(text: str, path: str) -> tuple[dict[str, Any], SourceMap]:
    """Parse ``text`` (the contents of ``path``) into a mapping and its source map."""
    _check_size(path, len(text.encode("utf-8")))
    source = SourceMap(path)
    try:
        node = yaml.compose(text, Loader=SAFE_LOADER)
    except yaml.reader.ReaderError as exc:
        line, column = _offset_position(text, _char_offset(text, exc.position))
        char = chr(exc.character) if isinstance(exc.character, int) else exc.character
        reason = f"control character {char!r} is not allowed in YAML"
        raise ConfigError([Problem(path, line, column, reason)]) from exc
    except RecursionError as exc:
        raise ConfigError([Problem(path, 1, 1, "the file nests too deeply to read")]) from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        reason = exc.problem or str(exc)
        message = f"YAML syntax error: {reason}"
        if reason == NESTING_PROBLEM:
            message = "the file nests too deeply to read"
        raise ConfigError([Problem(path, line, column, message)]) from exc
    except yaml.YAMLError as exc:
        raise ConfigError([Problem(path, 1, 1, f"YAML error: {exc}")]) from exc
    if node is None:
        raise ConfigError([Problem(path, 1, 1, "the file is empty; expected a mapping")])
    if not isinstance(node, MappingNode):
        pos = _pos(node)
        kind = "a list" if isinstance(node, SequenceNode) else "a single value"
        raise ConfigError([Problem(path, pos.line, pos.column, f"expected a mapping, got {kind}")])
    converter = _Converter(source)
    try:
        data = converter.convert(node, ())
    except _TooLarge as exc:
        pos = _pos(exc.node)
        message = f"the file expands to over {MAX_VALUES:,} values (aliases nested too deeply?)"
        raise ConfigError([Problem(path, pos.line, pos.column, message)]) from None
    except RecursionError:
        raise ConfigError([Problem(path, 1, 1, "the file nests too deeply to read")]) from None
    source.problems.extend(converter.problems)
    return data, source


@contextmanager
def cycle_collector_paused() -> Iterator[None]:
    """Pause the cycle collector while org.yaml becomes hundreds of thousands of objects.

    Loading makes no garbage cycles worth finding, yet each object it keeps alive lengthens
    the collector's full passes: with it running, validating 20,000 users took three times
    as long and grew faster than the file. Reference counting frees everything as usual.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def load_yaml_file(path: Path) -> tuple[dict[str, Any], SourceMap]:
    """Read and parse a YAML file; a missing or unreadable file is a ConfigError."""
    try:
        _check_size(str(path), path.stat().st_size)
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise ConfigError([Problem(str(path), 1, 1, "file not found")]) from exc
    except OSError as exc:
        raise ConfigError([Problem(str(path), 1, 1, f"cannot read file: {exc.strerror}")]) from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw[: exc.start].rfind(b"\n") + 1) + 1
        message = f"not UTF-8: byte 0x{raw[exc.start]:02x} cannot be read; save the file as UTF-8"
        raise ConfigError([Problem(str(path), line, column, message)]) from exc
    return load_yaml_text(text, str(path))
