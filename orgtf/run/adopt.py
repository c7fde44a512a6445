"""Adopting objects that exist in AWS but not in the Terraform state (``orgtf adopt``).

A role made by hand under a name org.yaml also uses, or an apply killed outright before it
recorded what it created: Terraform would try to create them again and fail with
``EntityAlreadyExists``. Adoption plans the account, and for every object the plan would
create, imports it under its real import ID when it exists. Objects whose ID depends on
another (an attachment of a policy being adopted) are imported in a following round, once
the first is in the state. Nothing in AWS is changed; the next plan shows what differs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from orgtf.run.workspace import Workspace
from orgtf.terraform.driver import Terraform
from orgtf.terraform.plan import JsonValue, ResourceChange

_ROUNDS = 3  # policies, then what attaches them; one more to be sure nothing is left


@dataclass(frozen=True)
class Adopted:
    """An object brought into the state: its address and the ID it was imported by."""

    address: str
    object_id: str


def adopt(ws: Workspace, tf: Terraform, backend_file: Path | None) -> list[Adopted]:
    """Import into ``ws``'s state every object its plan would create that already exists."""
    tf.init_if_needed(backend_file=backend_file)
    adopted: list[Adopted] = []
    tried: set[str] = set()
    plan_file = ws.data_dir / "adopt.tfplan"
    try:
        for _ in range(_ROUNDS):
            tf.plan_summary(plan_file)
            creates = [c for c in tf.show_plan(plan_file).changes if c.actions == ("create",)]
            candidates = [
                (change.address, object_id)
                for change in creates
                if change.address not in tried
                and (object_id := import_id(change, ws.account_id)) is not None
            ]
            if not candidates:
                break
            for address, object_id in candidates:
                tried.add(address)
                if tf.import_object(address, object_id):
                    adopted.append(Adopted(address, object_id))
    finally:
        plan_file.unlink(missing_ok=True)
    return adopted


def import_id(change: ResourceChange, account_id: str) -> str | None:
    """The ID ``terraform import`` takes for ``change``'s object; None while it is unknown."""
    after = change.after or {}
    build = _IDS.get(change.type)
    if build is None:
        return None
    try:
        return build(after, account_id)
    except (KeyError, TypeError):
        return None  # a value the ID needs is not known until another object exists


def _text(after: Mapping[str, JsonValue], key: str) -> str:
    value = after[key]
    if not isinstance(value, str):
        raise TypeError(key)
    return value


def _policy_arn(after: Mapping[str, JsonValue], account_id: str) -> str:
    path = after.get("path")
    return f"arn:aws:iam::{account_id}:policy{path if isinstance(path, str) else '/'}" + _text(
        after, "name"
    )


def _membership(after: Mapping[str, JsonValue], account_id: str) -> str:
    groups = after["groups"]
    if not isinstance(groups, list) or not all(isinstance(g, str) for g in groups):
        raise TypeError("groups")
    return "/".join([_text(after, "user"), *(str(g) for g in groups)])


_IDS: dict[str, Callable[[Mapping[str, JsonValue], str], str]] = {
    "aws_iam_role": lambda a, _: _text(a, "name"),
    "aws_iam_group": lambda a, _: _text(a, "name"),
    "aws_iam_user": lambda a, _: _text(a, "name"),
    "aws_iam_user_login_profile": lambda a, _: _text(a, "user"),
    "aws_iam_policy": _policy_arn,
    "aws_iam_role_policy": lambda a, _: f"{_text(a, 'role')}:{_text(a, 'name')}",
    "aws_iam_group_policy": lambda a, _: f"{_text(a, 'group')}:{_text(a, 'name')}",
    "aws_iam_role_policy_attachment": lambda a, _: f"{_text(a, 'role')}/{_text(a, 'policy_arn')}",
    "aws_iam_group_policy_attachment": lambda a, _: f"{_text(a, 'group')}/{_text(a, 'policy_arn')}",
    "aws_iam_user_group_membership": _membership,
}
