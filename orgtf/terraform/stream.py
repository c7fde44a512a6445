"""Terraform's machine-readable UI (``plan -json``): the plan summary and the human text.

Reading the summary from the plan's own output saves a ``terraform show -json`` per account,
which would start the provider once more only to load its schema. ``show -json`` stays the
source of truth for saved plans at apply time.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast

from orgtf.terraform.plan import Action, PlanFormatError, PlanSummary, ResourceChange

# Terraform's UI actions as plan actions. A replacement's order (create_before_destroy) is not
# in the stream; delete-then-create is Terraform's default. Moves, imports and forgets change
# no infrastructure by themselves.
_ACTIONS: dict[str, tuple[str, ...]] = {
    "create": ("create",),
    "update": ("update",),
    "delete": ("delete",),
    "replace": ("delete", "create"),
    "read": ("read",),
    "noop": ("no-op",),
    "move": ("no-op",),
    "import": ("no-op",),
    "forget": ("no-op",),
}


@dataclass(frozen=True)
class PlanStream:
    """What a ``plan -json`` run said: its summary and its messages as a person reads them."""

    summary: PlanSummary
    text: str


def parse_plan_stream(stdout: str) -> PlanStream:
    """Parse the JSON lines of ``terraform plan -json``."""
    version = ""
    changes: list[ResourceChange] = []
    outputs: set[str] = set()
    text: list[str] = []
    for message in _messages(stdout):
        kind = message.get("type")
        text.extend(_human(message))
        if kind == "version":
            version = str(message.get("terraform", ""))
        elif kind == "planned_change":
            changes.append(_change(message.get("change")))
        elif kind == "outputs" and isinstance(message.get("outputs"), dict):
            outputs |= {
                str(name)
                for name, entry in message["outputs"].items()
                if isinstance(entry, dict) and entry.get("action") not in (None, "noop")
            }
    summary = PlanSummary(
        terraform_version=version,
        resource_changes=tuple(sorted(changes, key=lambda c: (c.address, c.deposed or ""))),
        output_changes=tuple(sorted(outputs)),
    )
    return PlanStream(summary, "\n".join(text) + ("\n" if text else ""))


def _messages(stdout: str) -> Iterator[dict[str, Any]]:
    for line in stdout.splitlines():
        if not line.strip():
            continue
        try:
            message = json.loads(line)
        except json.JSONDecodeError:
            yield {"@message": line}  # not JSON: keep it for the log as it is
            continue
        if isinstance(message, dict):
            yield message


def _human(message: dict[str, Any]) -> Iterator[str]:
    if "@message" in message:
        yield str(message["@message"])
    diagnostic = message.get("diagnostic")
    if isinstance(diagnostic, dict):
        where = diagnostic.get("range")
        if isinstance(where, dict):
            start = where.get("start") or {}
            yield f"  on {where.get('filename')} line {start.get('line')}"
        if diagnostic.get("detail"):
            yield from (f"  {line}" for line in str(diagnostic["detail"]).splitlines())


def _change(raw: object) -> ResourceChange:
    if not isinstance(raw, dict) or not isinstance(raw.get("resource"), dict):
        raise PlanFormatError("terraform plan -json: a planned change has no resource")
    resource = raw["resource"]
    action = str(raw.get("action", ""))
    if action not in _ACTIONS:
        raise PlanFormatError(
            f"terraform plan -json: {resource.get('addr')}: unknown action {action!r}"
        )
    address = str(resource.get("addr", ""))
    return ResourceChange(
        address=address,
        type=str(resource.get("resource_type", "")),
        name=str(resource.get("resource_name", "")),
        mode="data" if str(resource.get("resource", "")).startswith("data.") else "managed",
        actions=cast(tuple[Action, ...], _ACTIONS[action]),
        module_address=str(resource["module"]) if resource.get("module") else None,
        deposed=str(raw["deposed"]) if raw.get("deposed") else None,
    )
