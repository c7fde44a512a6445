"""Plan records as JSON and back, whole: what a shard's report carries for ``report merge``.

The documented ``plan --format json`` contract holds what CI reads, not everything the text
and markdown reports show (outputs that change, log paths, attribute changes). To merge
shards into the report an unsharded plan would give, each shard carries its ``AccountPlan``
records whole. The codec follows the dataclasses' own type hints, so a field added to a
record travels without a change here; a type it does not know is refused when writing.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from orgtf.errors import OrgtfError
from orgtf.run.results import AccountPlan

_SCALARS = (str, int, float, bool)


class RecordFormatError(OrgtfError):
    """A shard report's records do not match the plan records of this orgtf."""


def encode_plans(plans: typing.Sequence[AccountPlan]) -> list[Any]:
    """The records as JSON-ready values (dicts, lists, strings, numbers, null)."""
    return [encode(plan) for plan in plans]


def decode_plans(data: object, where: str) -> tuple[AccountPlan, ...]:
    """The records written by ``encode_plans``; RecordFormatError naming ``where`` otherwise."""
    if not isinstance(data, list):
        raise RecordFormatError(f"{where}: expected a list of plan records")
    decoder = _Decoder()
    plans = []
    for i, item in enumerate(data):
        try:
            plans.append(decoder.decode(AccountPlan, item))
        except _Mismatch as exc:
            raise RecordFormatError(f"{where}[{i}]{exc.path}: {exc.what}") from None
        except (TypeError, ValueError) as exc:  # a record's own check (__post_init__)
            raise RecordFormatError(f"{where}[{i}]: {exc}") from None
    return tuple(plans)


def encode(value: object) -> Any:
    """One value as JSON: a dataclass as an object of its fields, tuples as lists."""
    if value is None or isinstance(value, _SCALARS):
        return value
    if isinstance(value, Path):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = (f for f in dataclasses.fields(value) if f.init)
        return {f.name: encode(getattr(value, f.name)) for f in fields}
    if isinstance(value, Mapping):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode(item) for item in value]
    raise TypeError(f"cannot write a {type(value).__name__} into a plan record")


class _Mismatch(ValueError):
    """A value that is not what its type hint says; ``path`` is where, inside the record."""

    def __init__(self, what: str, path: str = "") -> None:
        super().__init__(what)
        self.what = what
        self.path = path

    def at(self, segment: str) -> _Mismatch:
        return _Mismatch(self.what, segment + self.path)


class _Decoder:
    """Reads JSON back into records by their type hints, resolving each class's hints once
    (resolving them is slow, and a merge reads thousands of resource changes). Where a value
    went wrong is worked out only when one does."""

    def __init__(self) -> None:
        self._hints: dict[type, dict[str, Any]] = {}

    def decode(self, hint: Any, data: object) -> Any:
        origin, args = typing.get_origin(hint), typing.get_args(hint)
        if isinstance(hint, type) and dataclasses.is_dataclass(hint):
            return self._dataclass(hint, data)
        if origin in (typing.Union, types.UnionType):
            arms = [a for a in args if a is not type(None)]
            if data is None and len(arms) < len(args):
                return None
            # One arm: an optional record field. Several: a JSON value, stored as it is.
            return self.decode(arms[0], data) if len(arms) == 1 else data
        if origin is typing.Literal:
            _expect(data in args, f"one of {list(args)}", data)
            return data
        if origin is tuple:
            return self._tuple(args, data)
        if origin in (Mapping, dict):
            _expect(isinstance(data, dict), "an object", data)
            assert isinstance(data, dict)
            return {k: self._item(args[1], v, f".{k}") for k, v in data.items()}
        if hint is Path:
            _expect(isinstance(data, str), "a path", data)
            return Path(str(data))
        if hint in _SCALARS:
            _expect(_is_scalar(hint, data), f"a {hint.__name__}", data)
            return data
        raise _Mismatch(f"a {hint} cannot be read from a plan record")

    def _item(self, hint: Any, data: object, segment: str) -> Any:
        try:
            return self.decode(hint, data)
        except _Mismatch as exc:
            raise exc.at(segment) from None

    def _tuple(self, args: tuple[Any, ...], data: object) -> tuple[Any, ...]:
        _expect(isinstance(data, list), "a list", data)
        assert isinstance(data, list)
        items = args[:1] * len(data) if args[-1:] == (Ellipsis,) else args
        _expect(len(items) == len(data), f"{len(items)} items", data)
        pairs = enumerate(zip(items, data, strict=True))
        return tuple(self._item(h, d, f"[{i}]") for i, (h, d) in pairs)

    def _dataclass(self, cls: type, data: object) -> Any:
        _expect(isinstance(data, dict), "an object", data)
        assert isinstance(data, dict)
        if cls not in self._hints:
            hints = typing.get_type_hints(cls)
            self._hints[cls] = {f.name: hints[f.name] for f in dataclasses.fields(cls) if f.init}
        fields = self._hints[cls]
        unknown = sorted(set(data) - set(fields))
        if unknown:
            raise _Mismatch(f"unknown fields {unknown}")
        values = {
            name: self._item(hint, data[name], f".{name}")
            for name, hint in fields.items()
            if name in data
        }
        return cls(**values)


def _is_scalar(hint: type, data: object) -> bool:
    if hint is float:
        return isinstance(data, (int, float)) and not isinstance(data, bool)
    if hint is int:
        return isinstance(data, int) and not isinstance(data, bool)
    return isinstance(data, hint)


def _expect(ok: bool, what: str, data: object) -> None:
    if not ok:
        raise _Mismatch(f"expected {what}, got {type(data).__name__}")
