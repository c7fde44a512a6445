"""SDKv2-style planning: defaults, equivalent values kept, ForceNew turned into replacement.

``tf`` 1.2 plans by echoing the proposed state. The real provider (terraform-plugin-sdk v2)
also fills schema defaults, suppresses semantically equal diffs, recomputes ``tags_all`` and
leaves computed attributes to Terraform's second plan (from a null prior) when the resource is
replaced. This module does that for every resource of the stand-in, driven by the attribute
metadata of its schema.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from orgtf.sandbox.provider.framework import State, Unknown, has_default


class Plannable(Protocol):
    """What the planner needs from a resource."""

    @classmethod
    def get_schema(cls) -> Any: ...

    def customize_plan(self, prior: State | None, planned: State, config: State) -> None: ...


@dataclass(frozen=True)
class PlannedChange:
    """The planned new state and the attributes whose change forces a replacement."""

    planned: State
    requires_replace: tuple[str, ...]


def plan_change(
    resource: Plannable, prior: State | None, proposed: State, config: State
) -> PlannedChange:
    """Plan a create (``prior`` is None) or an update of one resource instance."""
    schema = resource.get_schema()
    attrs = {a.name: a for a in schema.attributes}
    if prior is None:
        planned = _plan_create(attrs, proposed)
        resource.customize_plan(None, planned, config)
        return PlannedChange(planned, ())
    planned = _plan_update(attrs, schema.block_types, prior, proposed, config)
    resource.customize_plan(prior, planned, config)
    replace = tuple(
        sorted(n for n, a in attrs.items() if a.requires_replace and _changed(a, prior, planned))
    )
    # Computed values stay as they were, as in SDKv2: when Terraform goes on to replace the
    # object it plans again from a null prior (a create). When ignore_changes undoes every
    # change that forced the replacement, the plan is then a no-op rather than an update.
    return PlannedChange(planned, replace)


def _plan_create(attrs: dict[str, Any], proposed: State) -> State:
    planned = dict(proposed)
    for name, attr in attrs.items():
        if planned.get(name) is not None:
            continue
        if has_default(attr):
            planned[name] = attr.default
        else:
            planned[name] = Unknown if attr.computed else None
    return planned


def _plan_update(
    attrs: dict[str, Any], blocks: list[Any], prior: State, proposed: State, config: State
) -> State:
    planned = dict(proposed)
    for name, attr in attrs.items():
        if config.get(name) is None and has_default(attr):
            planned[name] = attr.default
        value = planned.get(name)
        old = prior.get(name)
        if value is not Unknown and old is not None and attr.type.semantically_equal(old, value):
            planned[name] = old
    for block in blocks:
        # Optional+computed SDKv2 blocks: an absent block keeps what was read back.
        if not config.get(block.type_name):
            planned[block.type_name] = prior.get(block.type_name) or []
    return planned


def _changed(attr: Any, prior: State, planned: State) -> bool:
    new = planned.get(attr.name)
    old = prior.get(attr.name)
    if new is Unknown:
        return True
    if new is old or new == old:
        return False
    return not attr.type.semantically_equal(old, new)


def changed_attributes(schema: Any, prior: State, planned: State) -> set[str]:
    """Names of the attributes whose planned value differs from the prior state."""
    return {a.name for a in schema.attributes if _changed(a, prior, planned)}
