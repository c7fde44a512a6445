"""Typed records of Terraform results: plan summaries and root module outputs.

``parse_plan`` and ``parse_outputs`` turn ``terraform show -json`` and ``terraform output -json``
text into these records once; nothing downstream reads Terraform's JSON.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, TypeAlias, cast, get_args

from orgtf.errors import OrgtfError
from orgtf.terraform.diff import AttributeChange, attribute_changes
from orgtf.terraform.diff import JsonValue as JsonValue  # the type of plan values, used downstream

Action: TypeAlias = Literal["no-op", "create", "read", "update", "delete"]
ChangeKind: TypeAlias = Literal["create", "update", "delete", "replace", "read", "no-op"]

_ACTIONS: frozenset[str] = frozenset(get_args(Action))
_KINDS: dict[tuple[str, ...], ChangeKind] = {
    ("create",): "create",
    ("update",): "update",
    ("delete",): "delete",
    ("delete", "create"): "replace",
    ("create", "delete"): "replace",
    ("read",): "read",
    ("no-op",): "no-op",
}
_SYMBOLS: dict[tuple[str, ...], str] = {
    ("create",): "+",
    ("update",): "~",
    ("delete",): "-",
    ("delete", "create"): "-/+",
    ("create", "delete"): "+/-",
    ("read",): "<=",
    ("no-op",): " ",
}


class PlanFormatError(OrgtfError):
    """Terraform's JSON output could not be understood."""


@dataclass(frozen=True)
class ResourceChange:
    """One entry of a plan's ``resource_changes``."""

    address: str
    type: str
    name: str
    mode: Literal["managed", "data"]
    actions: tuple[Action, ...]
    module_address: str | None = None
    deposed: str | None = None
    # The planned values (unknown ones absent); kept out of repr, as they may hold secrets.
    after: Mapping[str, JsonValue] | None = field(default=None, repr=False, compare=False)
    # What changes inside an updated or replaced object (only ``show -json`` has the values).
    attributes: tuple[AttributeChange, ...] = field(default=(), repr=False, compare=False)

    @property
    def kind(self) -> ChangeKind:
        """What happens: replace for both delete-then-create and create-then-delete."""
        return _KINDS[self.actions]

    @property
    def is_replace(self) -> bool:
        """True when the object is destroyed and created again (in either order)."""
        return self.kind == "replace"

    @property
    def is_change(self) -> bool:
        """True for create, update, delete and replace; no-op and read change nothing."""
        return self.kind not in ("no-op", "read")

    @property
    def symbol(self) -> str:
        """Terraform's marker for the action: ``+``, ``~``, ``-``, ``-/+``, ``+/-``, ``<=``."""
        return _SYMBOLS[self.actions]

    @property
    def display_address(self) -> str:
        """The address, naming the deposed object when there is one."""
        return f"{self.address} (deposed object {self.deposed})" if self.deposed else self.address


@dataclass(frozen=True)
class PlanSummary:
    """What a saved plan would do; replace counts as one destroy plus one add."""

    terraform_version: str
    resource_changes: tuple[ResourceChange, ...]
    output_changes: tuple[str, ...] = ()

    @property
    def changes(self) -> tuple[ResourceChange, ...]:
        """The resource changes that change something (no no-op, no read), by address."""
        return tuple(c for c in self.resource_changes if c.is_change)

    @property
    def add(self) -> int:
        """Objects created (creates and replaces)."""
        return sum(1 for c in self.changes if c.kind in ("create", "replace"))

    @property
    def change(self) -> int:
        """Objects updated in place."""
        return sum(1 for c in self.changes if c.kind == "update")

    @property
    def destroy(self) -> int:
        """Objects destroyed (deletes and replaces)."""
        return sum(1 for c in self.changes if c.kind in ("delete", "replace"))

    @property
    def destroys_anything(self) -> bool:
        """True when any object is deleted or replaced."""
        return self.destroy > 0

    @property
    def has_changes(self) -> bool:
        """True when any resource or output would change."""
        return bool(self.changes or self.output_changes)

    @property
    def updates_anything(self) -> bool:
        """True when any object is updated in place or replaced: the changes whose attributes
        reports show (their before and after values are only in ``terraform show -json``)."""
        return any(c.kind in ("update", "replace") for c in self.changes)


@dataclass(frozen=True)
class OutputValue:
    """One root module output; its value is hidden from ``repr`` when sensitive."""

    name: str
    value: JsonValue
    sensitive: bool
    type: JsonValue = None

    def __repr__(self) -> str:
        shown = "<sensitive>" if self.sensitive else repr(self.value)
        return f"OutputValue(name={self.name!r}, value={shown}, sensitive={self.sensitive})"


def parse_plan(text: str, source: str = "terraform show -json") -> PlanSummary:
    """Parse ``terraform show -json PLANFILE`` output (format_version 0.x or 1.x)."""
    document = load_object(text, source)
    version = str(document.get("format_version", ""))
    if version.split(".")[0] not in ("0", "1"):
        raise PlanFormatError(f"{source}: unsupported plan format_version {version!r}")
    raw_changes = document.get("resource_changes") or []
    if not isinstance(raw_changes, list):
        raise PlanFormatError(f"{source}: resource_changes is not a list")
    changes = sorted(
        (_resource_change(item, source) for item in raw_changes),
        key=lambda c: (c.address, c.deposed or ""),
    )
    return PlanSummary(
        terraform_version=str(document.get("terraform_version", "")),
        resource_changes=tuple(changes),
        output_changes=_output_changes(document.get("output_changes"), source),
    )


def parse_outputs(text: str, source: str = "terraform output -json") -> dict[str, OutputValue]:
    """Parse ``terraform output -json`` output into values keyed by output name."""
    document = load_object(text, source)
    outputs: dict[str, OutputValue] = {}
    for name, entry in sorted(document.items()):
        if not isinstance(entry, dict) or "value" not in entry:
            raise PlanFormatError(f"{source}: output {name!r} has no value")
        outputs[name] = OutputValue(
            name=name,
            value=cast(JsonValue, entry["value"]),
            sensitive=bool(entry.get("sensitive", False)),
            type=cast(JsonValue, entry.get("type")),
        )
    return outputs


def load_object(text: str, source: str) -> dict[str, object]:
    """The JSON object Terraform printed; PlanFormatError naming ``source`` otherwise."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PlanFormatError(f"{source}: not valid JSON ({exc})") from exc
    if not isinstance(document, dict):
        raise PlanFormatError(f"{source}: expected a JSON object")
    return document


def _resource_change(item: object, source: str) -> ResourceChange:
    if not isinstance(item, dict) or not isinstance(item.get("change"), dict):
        raise PlanFormatError(f"{source}: a resource change has no 'change' object")
    address = str(item.get("address", ""))
    actions = tuple(str(a) for a in item["change"].get("actions", ()))
    if actions not in _KINDS:
        raise PlanFormatError(f"{source}: {address}: unknown actions {list(actions)}")
    mode = item.get("mode", "managed")
    if mode not in ("managed", "data"):
        raise PlanFormatError(f"{source}: {address}: unknown mode {mode!r}")
    module = item.get("module_address")
    deposed = item.get("deposed")
    after = item["change"].get("after")
    kind = _KINDS[actions]
    return ResourceChange(
        address=address,
        type=str(item.get("type", "")),
        name=str(item.get("name", "")),
        mode=mode,
        actions=cast(tuple[Action, ...], actions),
        module_address=str(module) if module else None,
        deposed=str(deposed) if deposed else None,
        after=after if isinstance(after, dict) else None,
        attributes=attribute_changes(item["change"]) if kind in ("update", "replace") else (),
    )


def _output_changes(raw: object, source: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, Mapping):
        raise PlanFormatError(f"{source}: output_changes is not an object")
    changed = []
    for name, entry in raw.items():
        actions = entry.get("actions", ()) if isinstance(entry, dict) else ()
        if any(a in _ACTIONS - {"no-op", "read"} for a in actions):
            changed.append(str(name))
    return tuple(sorted(changed))
