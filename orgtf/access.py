"""Who may assume what: the user x role matrix of org.yaml.

Everything here is derived from the validated configuration alone; no credentials are needed.
"""

from __future__ import annotations

from dataclasses import dataclass

from orgtf.config import Organization, RoleRef
from orgtf.config.checks import did_you_mean
from orgtf.errors import UsageError


@dataclass(frozen=True, order=True)
class AccessEntry:
    """One user may assume one role, through the listed groups."""

    user: str
    account: str
    role: str
    account_id: str
    role_arn: str
    groups: tuple[str, ...]
    require_mfa: bool
    max_session_duration: int
    protected: bool

    @property
    def ref(self) -> RoleRef:
        return RoleRef(self.account, self.role)


@dataclass(frozen=True)
class AccessReport:
    """The matrix (or a filtered part of it), plus users and roles in scope left without access."""

    organization: str
    entries: tuple[AccessEntry, ...]
    users_without_roles: tuple[str, ...]
    roles_without_users: tuple[RoleRef, ...]


def all_role_refs(org: Organization) -> list[RoleRef]:
    """Every deployed role, ``account/Role``, in account order."""
    return [RoleRef(acct, role) for acct in org.account_names() for role in org.roles_in(acct)]


def access_entries(org: Organization) -> tuple[AccessEntry, ...]:
    """The full matrix, sorted by user, account and role."""
    entries: list[AccessEntry] = []
    for user_name, user in sorted(org.config.users.items()):
        for ref, groups in org.user_roles(user).items():
            role = org.config.roles[ref.role]
            account = org.account(ref.account)
            entries.append(
                AccessEntry(
                    user=user_name,
                    account=ref.account,
                    role=ref.role,
                    account_id=account.id,
                    role_arn=org.role_arn(ref),
                    groups=tuple(groups),
                    require_mfa=role.require_mfa,
                    max_session_duration=role.max_session_duration,
                    protected=account.protected,
                )
            )
    return tuple(sorted(entries))


def check_user(org: Organization, name: str) -> str:
    """``name`` if it is a user of ``org``; otherwise a UsageError with a suggestion."""
    if name not in org.config.users:
        hint = did_you_mean(name, org.config.users)
        raise UsageError(f"unknown user {name!r} in {org.path}{hint}")
    return name


def check_role(org: Organization, text: str) -> RoleRef:
    """The role ``ACCOUNT/ROLE`` if it is deployed in ``org``; otherwise a UsageError."""
    ref = RoleRef.parse(text)
    if not ref.account or not ref.role:
        raise UsageError(f"invalid role {text!r}: write it as ACCOUNT/ROLE (e.g. production/Admin)")
    known = all_role_refs(org)
    if ref not in known:
        hint = did_you_mean(text, [str(k) for k in known])
        raise UsageError(f"unknown role {text!r} in {org.path}{hint}")
    return ref


def access_report(
    org: Organization, *, user: str | None = None, role: str | None = None
) -> AccessReport:
    """The matrix, optionally for one user or one role (names are checked first)."""
    entries = access_entries(org)
    users = sorted(org.config.users)
    refs = all_role_refs(org)
    if user is not None:
        users = [check_user(org, user)]
        refs = []
        entries = tuple(e for e in entries if e.user == user)
    if role is not None:
        refs = [check_role(org, role)]
        users = []
        entries = tuple(e for e in entries if e.ref == refs[0])
    granted_users = {e.user for e in entries}
    granted_refs = {e.ref for e in entries}
    return AccessReport(
        organization=org.name,
        entries=entries,
        users_without_roles=tuple(u for u in users if u not in granted_users),
        roles_without_users=tuple(r for r in refs if r not in granted_refs),
    )
