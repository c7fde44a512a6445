"""Groups and users found in the master account, as org.yaml holds them.

A group's grant is the one policy (inline, or customer managed and attached) that only allows
``sts:AssumeRole`` on roles orgtf manages; it is kept as found (``grant_policy``) so that the
first plan leaves it as it is, and its roles become the group's ``roles``. Every other inline
policy of a group or user stays as it is, unmanaged; attached managed policies stay attached
(``managed_policy_arns``) while customer managed ones are left unmanaged themselves.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from orgtf.adoption.found import Unmanaged
from orgtf.config.grants import granted_roles
from orgtf.config.policy import RoleGrant, grant_document
from orgtf.iam.details import AccountDetails, IamGroup, IamUser
from orgtf.iam.equivalence import documents_equivalent

INLINE_GRANT_NAME = "orgtf-assume-roles"  # as orgtf.render.tfvars names it


@dataclass(frozen=True)
class GrantTarget:
    """A role orgtf will manage, as a group's grant names it: its reference and MFA."""

    ref: str  # account/Role
    require_mfa: bool


def express_groups(
    master: str, details: AccountDetails, targets: Mapping[str, GrantTarget]
) -> tuple[dict[str, dict[str, Any]], list[Unmanaged]]:
    """Each group's org.yaml data, and what of the groups is left unmanaged."""
    groups: dict[str, dict[str, Any]] = {}
    left: list[Unmanaged] = []
    for group in details.groups:
        data, unmanaged = _group(master, details, group, targets)
        groups[group.name] = data
        left += unmanaged
    return groups, left


def _group(
    master: str, details: AccountDetails, group: IamGroup, targets: Mapping[str, GrantTarget]
) -> tuple[dict[str, Any], list[Unmanaged]]:
    data: dict[str, Any] = {}
    left: list[Unmanaged] = []
    if group.path != "/":
        data["path"] = group.path
    candidates: list[tuple[str, str, Mapping[str, Any], str | None]] = [
        ("inline", p.name, p.document, None) for p in group.inline
    ]
    candidates += [
        ("managed", info.name, details.policies[arn], arn)
        for arn in group.attached
        if (info := details.policy_info.get(arn)) is not None and arn in details.policies
    ]
    grant = None
    for kind, name, document, arn in candidates:
        granted = granted_roles(document)
        missing = sorted(set(granted or {}) - targets.keys())
        missing += [
            a
            for a, mfa in (granted or {}).items()
            if mfa and a in targets and not targets[a].require_mfa
        ]
        if grant is None and granted is not None and not missing:
            grant = (kind, name, document, arn, granted)
            continue
        if kind == "inline":
            why = _not_a_grant(granted, missing, grant is not None)
            left.append(Unmanaged(master, "group policy", f"{group.name}:{name}", why))
    attached = sorted(a for a in group.attached if grant is None or a != grant[3])
    if attached:
        data["managed_policy_arns"] = attached
    left += [
        Unmanaged(
            master,
            "policy",
            arn,
            f"attached to group {group.name}; orgtf keeps the "
            "attachment and leaves the policy as it is",
        )
        for arn in attached
        if arn in details.policy_info
    ]
    if grant is not None:
        data.update(_grant_data(details, *grant, targets))
    return data, left


def _grant_data(
    details: AccountDetails,
    kind: str,
    name: str,
    document: Mapping[str, Any],
    arn: str | None,
    granted: Mapping[str, bool],
    targets: Mapping[str, GrantTarget],
) -> dict[str, Any]:
    roles = {"roles": sorted(targets[a].ref for a in granted)}
    ours = grant_document([RoleGrant(a, targets[a].require_mfa) for a in granted])
    if kind == "inline" and name == INLINE_GRANT_NAME and documents_equivalent(document, ours):
        return roles  # orgtf's own grant, as orgtf writes it: nothing to keep
    policy: dict[str, Any] = {"name": name}
    if kind == "managed" and arn is not None:
        info = details.policy_info[arn]
        policy["kind"] = "managed"
        if info.path != "/":
            policy["path"] = info.path
        if info.description:
            policy["description"] = info.description
    policy["document"] = dict(document)
    return {**roles, "grant_policy": policy}


def _not_a_grant(granted: Mapping[str, bool] | None, missing: list[str], second: bool) -> str:
    if granted is None:
        return "it allows more than sts:AssumeRole on roles; orgtf leaves it as it is"
    if missing:
        return (
            f"it grants roles orgtf does not manage, or asks MFA for roles whose trust does "
            f"not ({', '.join(missing)})"
        )
    return "the group's grant is another policy; orgtf keeps one grant per group"


def express_users(
    master: str, details: AccountDetails, groups: Mapping[str, Any], caller: str
) -> tuple[dict[str, dict[str, Any]], list[Unmanaged]]:
    """Each user's org.yaml data (not the caller's own user), and what is left unmanaged."""
    users: dict[str, dict[str, Any]] = {}
    left: list[Unmanaged] = []
    for user in details.users:
        if user.arn == caller:
            why = "the user this import runs as; orgtf never manages its own credentials"
            left.append(Unmanaged(master, "user", user.name, why))
            continue
        users[user.name] = _user(user, groups)
        left += list(_user_policies(master, user))
    return users, left


def _user(user: IamUser, groups: Mapping[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    member_of = sorted(g for g in user.groups if g in groups)
    if member_of:
        data["groups"] = member_of
    if user.path != "/":
        data["path"] = user.path
    if user.tags:
        data["tags"] = dict(user.tags)
    return data


def _user_policies(master: str, user: IamUser) -> Iterator[Unmanaged]:
    why = "orgtf gives users access through groups only; it stays as it is"
    for policy in user.inline:
        yield Unmanaged(master, "user policy", f"{user.name}:{policy.name}", why)
    for arn in user.attached:
        yield Unmanaged(master, "user policy attachment", f"{user.name}/{arn}", why)
