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
    try:
        return tuple(_decode(AccountPlan, item, f"{where}[{i}]") for i, item in enumerate(data))
    except (TypeError, ValueError) as exc:
        raise RecordFormatError(f"{where}: {exc}") from None


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


def _decode(hint: Any, data: object, where: str) -> Any:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if dataclasses.is_dataclass(hint):
        return _decode_dataclass(hint, data, where)
    if origin in (typing.Union, types.UnionType):
        arms = [a for a in args if a is not type(None)]
        if data is None and len(arms) < len(args):
            return None
        # One arm: an optional record field. Several: a JSON value, stored as it is.
        return _decode(arms[0], data, where) if len(arms) == 1 else data
    if origin is typing.Literal:
        _expect(data in args, where, f"one of {list(args)}", data)
        return data
    if origin is tuple:
        _expect(isinstance(data, list), where, "a list", data)
        assert isinstance(data, list)
        items = args[:1] * len(data) if args[-1:] == (Ellipsis,) else args
        _expect(len(items) == len(data), where, f"{len(items)} items", data)
        pairs = enumerate(zip(items, data, strict=True))
        return tuple(_decode(h, d, f"{where}[{i}]") for i, (h, d) in pairs)
    if origin in (Mapping, dict):
        _expect(isinstance(data, dict), where, "an object", data)
        assert isinstance(data, dict)
        return {k: _decode(args[1], v, f"{where}.{k}") for k, v in data.items()}
    if hint is Path:
        _expect(isinstance(data, str), where, "a path", data)
        return Path(str(data))
    if hint in _SCALARS:
        _expect(_is_scalar(hint, data), where, f"a {hint.__name__}", data)
        return data
    raise TypeError(f"{where}: a {hint} cannot be read from a plan record")


def _decode_dataclass(cls: Any, data: object, where: str) -> Any:
    _expect(isinstance(data, dict), where, "an object", data)
    assert isinstance(data, dict)
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise ValueError(f"{where}: unknown fields {unknown}")
    values = {
        name: _decode(hints[name], data[name], f"{where}.{name}") for name in fields if name in data
    }
    return cls(**values)


def _is_scalar(hint: type, data: object) -> bool:
    if hint is float:
        return isinstance(data, (int, float)) and not isinstance(data, bool)
    if hint is int:
        return isinstance(data, int) and not isinstance(data, bool)
    return isinstance(data, hint)


def _expect(ok: bool, where: str, what: str, data: object) -> None:
    if not ok:
        raise ValueError(f"{where}: expected {what}, got {type(data).__name__}")
