"""Who may assume what: the user x role matrix of org.yaml.

Everything here is derived from the validated configuration alone; no credentials are needed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from orgtf.config import Organization, RoleRef
from orgtf.errors import UsageError
from orgtf.text import did_you_mean


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


@dataclass(frozen=True, order=True)
class GroupPolicies:
    """A group that also attaches managed policies to its members, in the master account.

    orgtf cannot tell what such a policy allows. One that allows ``sts:AssumeRole`` (as
    AdministratorAccess does) lets the members assume every role orgtf deploys, since every
    role trusts the master account: the matrix cannot vouch for them.
    """

    group: str
    policy_arns: tuple[str, ...]
    users: tuple[str, ...]


@dataclass(frozen=True)
class AccessReport:
    """The matrix (or a filtered part of it), plus users and roles in scope left without access.

    ``group_policies`` lists the groups in scope that attach managed policies to their members.
    """

    organization: str
    entries: tuple[AccessEntry, ...]
    users_without_roles: tuple[str, ...]
    roles_without_users: tuple[RoleRef, ...]
    group_policies: tuple[GroupPolicies, ...] = ()


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
                    require_mfa=org.requires_mfa(ref),
                    max_session_duration=role.max_session_duration,
                    protected=account.protected,
                )
            )
    return tuple(sorted(entries))


def group_policies(org: Organization) -> tuple[GroupPolicies, ...]:
    """Every group with ``managed_policy_arns``, with its members, sorted by group."""
    return tuple(
        GroupPolicies(
            group=name,
            policy_arns=tuple(sorted(set(group.managed_policy_arns))),
            users=tuple(u for u, user in sorted(org.config.users.items()) if name in user.groups),
        )
        for name, group in sorted(org.config.groups.items())
        if group.managed_policy_arns
    )


def protected_accounts(*orgs: Organization) -> tuple[frozenset[str], frozenset[str]]:
    """The names and the ids of the accounts protected in any of ``orgs``."""
    accounts = [a for org in orgs for a in org.config.accounts.items() if a[1].protected]
    return frozenset(n for n, _ in accounts), frozenset(a.id for _, a in accounts)


def user_policies(org: Organization, user: str) -> dict[str, tuple[str, ...]]:
    """Each managed policy ``user`` gets through its groups, with the groups attaching it."""
    found: dict[str, list[str]] = {}
    for group in sorted(set(org.config.users[user].groups)):
        for arn in org.config.groups[group].managed_policy_arns:
            found.setdefault(arn, []).append(group)
    return {arn: tuple(dict.fromkeys(groups)) for arn, groups in sorted(found.items())}


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
    extra = group_policies(org)  # such a group may reach any role, so --role keeps them all
    if user is not None:
        users = [check_user(org, user)]
        refs = []
        entries = tuple(e for e in entries if e.user == user)
        extra = tuple(replace(g, users=(user,)) for g in extra if user in g.users)
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
        group_policies=extra,
    )
