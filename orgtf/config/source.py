"""YAML loading that keeps positions: every value and key remembers its line and column.

PyYAML's ``safe_load`` drops positions and silently keeps the last of duplicate keys, so
org.yaml is composed into nodes once and converted here, recording marks by path.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from orgtf.errors import ConfigError, Problem

PathKey = tuple[str | int, ...]
MERGE_TAG = "tag:yaml.org,2002:merge"


@dataclass(frozen=True)
class Position:
    """A 1-based line and column in the source file."""

    line: int
    column: int


@dataclass(frozen=True)
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


class _Converter:
    """Turns composed nodes into plain Python data, recording positions and problems."""

    def __init__(self, source: SourceMap) -> None:
        self.source = source
        self.problems: list[Problem] = []
        self._constructor = SafeConstructor()

    def convert(self, node: Node, path: PathKey) -> Any:
        self.source.values.setdefault(path, _pos(node))
        if isinstance(node, MappingNode):
            return self._mapping(node, path)
        if isinstance(node, SequenceNode):
            return [self.convert(item, (*path, i)) for i, item in enumerate(node.value)]
        assert isinstance(node, ScalarNode)
        self.source.scalars[path] = Scalar(node.value, node.tag, node.style is not None)
        return self._constructor.construct_object(node, deep=True)

    def _mapping(self, node: MappingNode, path: PathKey) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in self._pairs(node):
            key = self._key(key_node, path)
            if key is None:
                continue
            if key in result:
                first = self.source.keys[(*path, key)]
                self.problems.append(
                    Problem(
                        self.source.path,
                        *astuple(_pos(key_node)),
                        f"duplicate key {key!r} (first defined at line {first.line})",
                    )
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
        names = {k.value for k, _ in explicit if isinstance(k, ScalarNode)}
        seen: set[str] = set()
        for key_node, value_node in merged:
            if isinstance(key_node, ScalarNode) and key_node.value not in names | seen:
                seen.add(key_node.value)
                yield key_node, value_node
        yield from explicit

    def _key(self, key_node: Node, path: PathKey) -> str | None:
        if isinstance(key_node, ScalarNode):
            value = self._constructor.construct_object(key_node, deep=True)
            if isinstance(value, str):
                return value
        self.problems.append(
            Problem(self.source.path, *astuple(_pos(key_node)), "mapping keys must be strings")
        )
        return None


def astuple(pos: Position) -> tuple[int, int]:
    """(line, column) of a position."""
    return pos.line, pos.column


def load_yaml_text(text: str, path: str) -> tuple[dict[str, Any], SourceMap]:
    """Parse ``text`` (the contents of ``path``) into a mapping and its source map."""
    source = SourceMap(path)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        reason = exc.problem or str(exc)
        raise ConfigError([Problem(path, line, column, f"YAML syntax error: {reason}")]) from exc
    except yaml.YAMLError as exc:
        raise ConfigError([Problem(path, 1, 1, f"YAML error: {exc}")]) from exc
    if node is None:
        raise ConfigError([Problem(path, 1, 1, "the file is empty; expected a mapping")])
    if not isinstance(node, MappingNode):
        pos = _pos(node)
        kind = "a list" if isinstance(node, SequenceNode) else "a single value"
        raise ConfigError([Problem(path, pos.line, pos.column, f"expected a mapping, got {kind}")])
    converter = _Converter(source)
    data = converter.convert(node, ())
    if converter.problems:
        raise ConfigError(converter.problems)
    return data, source


def load_yaml_file(path: Path) -> tuple[dict[str, Any], SourceMap]:
    """Read and parse a YAML file; a missing or unreadable file is a ConfigError."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError([Problem(str(path), 1, 1, "file not found")]) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([Problem(str(path), 1, 1, f"cannot read file: {exc}")]) from exc
    return load_yaml_text(text, str(path))
