"""Typed records of a root's current state, from ``terraform show -json`` without a plan file.

The state holds sensitive values in the clear (a console password, for one), so the values
are kept out of every ``repr`` and the text is never logged (``Terraform.show_state``
captures it); callers take only the attributes they mean to show.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from orgtf.terraform.diff import JsonValue
from orgtf.terraform.plan import PlanFormatError, load_object


@dataclass(frozen=True)
class StateResource:
    """One managed object in the state: its address, type, ``for_each`` key and values."""

    address: str
    type: str
    index: str | int | None
    values: Mapping[str, JsonValue] = field(repr=False, compare=False)


def parse_state(text: str, source: str = "terraform show -json") -> tuple[StateResource, ...]:
    """Every managed resource of the root module and its child modules, by address."""
    if not text.strip():
        return ()
    document = load_object(text, source)
    values = document.get("values")
    root = values.get("root_module") if isinstance(values, dict) else None
    if not isinstance(root, dict):
        return ()  # no state yet, or nothing in it
    found = [_resource(item, source) for item in _items(root) if item.get("mode") == "managed"]
    return tuple(sorted(found, key=lambda r: r.address))


def _items(module: Mapping[str, object]) -> Iterator[Mapping[str, object]]:
    resources = module.get("resources")
    children = module.get("child_modules")
    yield from (item for item in _list(resources) if isinstance(item, dict))
    for child in _list(children):
        if isinstance(child, dict):
            yield from _items(child)


def _list(value: object) -> list[object]:
    return value if isinstance(value, list) else []


def _resource(item: Mapping[str, object], source: str) -> StateResource:
    values = item.get("values")
    if not isinstance(values, dict):
        raise PlanFormatError(f"{source}: resource {item.get('address')!r} has no values")
    index = item.get("index")
    return StateResource(
        address=str(item.get("address", "")),
        type=str(item.get("type", "")),
        index=index if isinstance(index, str | int) else None,
        values=values,
    )
