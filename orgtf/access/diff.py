"""What changes between two versions of org.yaml: access gained and lost, and other changes.

Everything here is derived from the validated configurations alone; no credentials are needed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Literal

from orgtf.access.matrix import (
    AccessEntry,
    access_entries,
    all_role_refs,
    protected_accounts,
    user_policies,
)
from orgtf.config import Organization
from orgtf.config.model import Role

AccessAction = Literal["granted", "revoked", "changed"]
Action = Literal["added", "removed", "changed"]
ChangeKind = Literal[
    "organization", "account", "role", "policy", "group", "group-role", "user", "membership"
]


@dataclass(frozen=True, order=True)
class AccessChange:
    """A user gains, loses, or keeps through other groups, the right to assume a role."""

    action: AccessAction
    user: str
    account: str
    role: str
    role_arn: str
    groups: tuple[str, ...]
    old_groups: tuple[str, ...]
    protected: bool
    require_mfa: bool


@dataclass(frozen=True, order=True)
class PolicyGrant:
    """A user gains a managed policy through its groups: a broad grant, as orgtf cannot tell
    what it allows (with ``sts:AssumeRole``, every role: each trusts the master account)."""

    user: str
    policy_arn: str
    groups: tuple[str, ...]
    protected: bool


@dataclass(frozen=True, order=True)
class ConfigChange:
    """Any other change a reviewer cares about: ``field`` of ``subject`` went ``old`` -> ``new``.

    For additions and removals ``field`` is empty and ``new``/``old`` may hold a detail such
    as an account id, the group a user joined, or the role a group grants.
    """

    kind: ChangeKind
    action: Action
    subject: str
    field: str = ""
    old: str = ""
    new: str = ""


@dataclass(frozen=True)
class AccessDiff:
    """Everything that changed between ``base`` and ``new``, in a stable order."""

    base: str
    new: str
    access: tuple[AccessChange, ...]
    changes: tuple[ConfigChange, ...]
    policy_grants: tuple[PolicyGrant, ...] = ()

    def granted(self, *, protected_only: bool = False) -> tuple[AccessChange, ...]:
        """Access gained, optionally only in accounts protected in the base or new config."""
        return tuple(
            c for c in self.access if c.action == "granted" and (c.protected or not protected_only)
        )

    def policies_granted(self, *, protected_only: bool = False) -> tuple[PolicyGrant, ...]:
        """Managed policies users gain through groups, each a broad grant (see PolicyGrant)."""
        return tuple(g for g in self.policy_grants if g.protected or not protected_only)


def access_diff(base: Organization, new: Organization, *, base_label: str) -> AccessDiff:
    """The semantic change from ``base`` to ``new``."""
    changes = [
        *_organization_changes(base, new),
        *_account_changes(base, new),
        *_role_changes(base, new),
        *_policy_changes(base, new),
        *_group_changes(base, new),
        *_user_changes(base, new),
    ]
    return AccessDiff(
        base=base_label,
        new=str(new.path),
        access=tuple(sorted(_access_changes(base, new), key=_access_order)),
        changes=tuple(sorted(changes, key=_change_order)),
        policy_grants=tuple(sorted(_policy_grants(base, new))),
    )


# Related kinds sort together: a new user is followed by the groups it joins.
_KIND_ORDER: dict[str, tuple[int, int]] = {
    "organization": (0, 0),
    "account": (1, 0),
    "role": (2, 0),
    "policy": (3, 0),
    "group": (4, 0),
    "group-role": (4, 1),
    "user": (5, 0),
    "membership": (5, 1),
}


def _change_order(change: ConfigChange) -> tuple[object, ...]:
    rank, sub = _KIND_ORDER[change.kind]
    return (rank, change.subject, sub, change.action, change.field, change.old, change.new)


def _access_order(change: AccessChange) -> tuple[str, str, str, str]:
    return (change.user, change.account, change.role, change.action)


def _access_changes(base: Organization, new: Organization) -> Iterator[AccessChange]:
    # Protected in either version: unprotecting an account in the change that grants access
    # to it (or renaming it) must not slip past --fail-on grant-protected.
    protected = protected_accounts(base, new)
    # Keyed by ARN too: an account id or role path change makes a different role.
    old = {(e.user, e.ref, e.role_arn): e for e in access_entries(base)}
    now = {(e.user, e.ref, e.role_arn): e for e in access_entries(new)}
    for key in old.keys() | now.keys():
        before, after = old.get(key), now.get(key)
        if after is not None and (before is None or before.groups != after.groups):
            action: AccessAction = "granted" if before is None else "changed"
            yield _change(action, after, before.groups if before else (), protected)
        elif before is not None and after is None:
            yield _change("revoked", before, before.groups, protected, groups=())


def _policy_grants(base: Organization, new: Organization) -> Iterator[PolicyGrant]:
    protected = any(protected_accounts(base, new))
    for user in sorted(new.config.users):
        before = user_policies(base, user) if user in base.config.users else {}
        for arn, groups in user_policies(new, user).items():
            if arn not in before:
                yield PolicyGrant(user, arn, groups, protected)


def _change(
    action: AccessAction,
    entry: AccessEntry,
    old_groups: tuple[str, ...],
    protected: tuple[frozenset[str], frozenset[str]],
    groups: tuple[str, ...] | None = None,
) -> AccessChange:
    return AccessChange(
        action=action,
        user=entry.user,
        account=entry.account,
        role=entry.role,
        role_arn=entry.role_arn,
        groups=entry.groups if groups is None else groups,
        old_groups=old_groups,
        protected=entry.account in protected[0] or entry.account_id in protected[1],
        require_mfa=entry.require_mfa,
    )


def _fields(
    kind: ChangeKind, subject: str, old: Mapping[str, str], new: Mapping[str, str]
) -> Iterator[ConfigChange]:
    for name in sorted(old.keys() | new.keys()):
        if old.get(name, "") != new.get(name, ""):
            yield ConfigChange(kind, "changed", subject, name, old.get(name, ""), new.get(name, ""))


def _added_removed(
    kind: ChangeKind, old: Iterable[str], new: Iterable[str], subject: str = ""
) -> Iterator[ConfigChange]:
    """Set additions and removals; with ``subject`` the items go to ``new``/``old``."""
    before, after = set(old), set(new)
    for item in sorted(after - before):
        yield ConfigChange(kind, "added", subject or item, new=item if subject else "")
    for item in sorted(before - after):
        yield ConfigChange(kind, "removed", subject or item, old=item if subject else "")


def _organization_changes(base: Organization, new: Organization) -> Iterator[ConfigChange]:
    def settings(org: Organization) -> dict[str, str]:
        s = org.config.organization
        return {
            "name": s.name,
            "master_account": s.master_account,
            "region": s.region,
            "access_role": s.access_role,
        }

    yield from _fields("organization", "organization", settings(base), settings(new))


def _account_changes(base: Organization, new: Organization) -> Iterator[ConfigChange]:
    old, now = base.config.accounts, new.config.accounts
    for name in sorted(now.keys() - old.keys()):
        yield ConfigChange("account", "added", name, new=now[name].id)
    for name in sorted(old.keys() - now.keys()):
        yield ConfigChange("account", "removed", name, old=old[name].id)
    for name in sorted(old.keys() & now.keys()):
        yield from _fields("account", name, _account_facts(base, name), _account_facts(new, name))


def _account_facts(org: Organization, name: str) -> dict[str, str]:
    account = org.account(name)
    return {"id": account.id, "protected": _flag(account.protected)}


def _role_changes(base: Organization, new: Organization) -> Iterator[ConfigChange]:
    old_refs = {str(r): r for r in all_role_refs(base)}
    new_refs = {str(r): r for r in all_role_refs(new)}
    yield from _added_removed("role", old_refs, new_refs)
    for text in sorted(old_refs.keys() & new_refs.keys()):
        ref = new_refs[text]
        old_role, new_role = base.config.roles[ref.role], new.config.roles[ref.role]
        before = _role_facts(old_role, base.requires_mfa(ref))
        after = _role_facts(new_role, new.requires_mfa(ref))
        if not new.requires_mfa(ref):  # the age means nothing without MFA: no line for it
            del before["mfa_max_age"], after["mfa_max_age"]
        yield from _fields("role", text, before, after)


def _role_facts(role: Role, require_mfa: bool) -> dict[str, str]:
    """What a role is in one account; ``require_mfa`` is its effective value there."""
    return {
        "require_mfa": _flag(require_mfa),
        "mfa_max_age": str(role.mfa_max_age or "any") if require_mfa else "",
        "max_session_duration": str(role.max_session_duration),
        "managed_policy_arns": ", ".join(sorted(role.managed_policy_arns)),
        "policies": ", ".join(sorted(role.policies)),
        "inline_policy": _document(role.inline_policy),
        "permissions_boundary": role.permissions_boundary or "",
        "path": role.path,
    }


def _policy_changes(base: Organization, new: Organization) -> Iterator[ConfigChange]:
    old, now = base.config.policies, new.config.policies
    yield from _added_removed("policy", old, now)
    for name in sorted(old.keys() & now.keys()):
        before = {"document": _document(old[name].document), "path": old[name].path}
        after = {"document": _document(now[name].document), "path": now[name].path}
        yield from _fields("policy", name, before, after)


def _group_changes(base: Organization, new: Organization) -> Iterator[ConfigChange]:
    old, now = base.config.groups, new.config.groups
    yield from _added_removed("group", old, now)
    for name in sorted(now):  # a removed group's roles go with it; its line says so
        before = [str(ref) for ref in old[name].roles] if name in old else []
        after = [str(ref) for ref in now[name].roles]
        yield from _added_removed("group-role", before, after, subject=name)
        if name in old:
            yield from _fields(
                "group",
                name,
                {"managed_policy_arns": ", ".join(sorted(old[name].managed_policy_arns))},
                {"managed_policy_arns": ", ".join(sorted(now[name].managed_policy_arns))},
            )


def _user_changes(base: Organization, new: Organization) -> Iterator[ConfigChange]:
    old, now = base.config.users, new.config.users
    yield from _added_removed("user", old, now)
    for name in sorted(now):
        before = old[name].groups if name in old else ()
        yield from _added_removed("membership", before, now[name].groups, subject=name)


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _document(document: object) -> str:
    """A policy document in canonical compact JSON, so reordering keys is not a change."""
    if document is None:
        return ""
    return json.dumps(document, sort_keys=True, separators=(",", ":"))
