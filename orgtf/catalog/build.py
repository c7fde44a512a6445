"""The role catalog: every role, who may assume it and how, from the deployed state.

The catalog is built from the Terraform outputs of every account (``orgtf.catalog.state``)
and cross-checked against org.yaml. Nothing is dropped: a role in org.yaml missing from the
outputs is listed with ``deployed=False``; a deployed role no longer in org.yaml is listed with
``in_config=False``; every disagreement is one line in ``differences``.

Which groups grant a role and which users are in which group come from the master account's
state when it can be read, otherwise from org.yaml (those users are then marked not deployed).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote, urlencode

from orgtf.catalog.state import (
    AccountState,
    DeployedRole,
    GroupAccess,
    StateStatus,
    config_grants,
    group_access,
)
from orgtf.config import Organization, RoleRef
from orgtf.config.model import Role
from orgtf.config.organization import iam_arn
from orgtf.profiles.build import default_profile_name

SWITCH_ROLE_URL = "https://signin.aws.amazon.com/switchrole"
DISPLAY_NAME_MAX = 64  # the console's limit for a switch-role display name


@dataclass(frozen=True)
class CatalogAccount:
    """An account of org.yaml and whether its state could be read."""

    name: str
    id: str
    protected: bool
    state: StateStatus
    reason: str | None


@dataclass(frozen=True)
class CatalogRole:
    """One role in one account, and how to assume it."""

    account: str
    account_id: str
    name: str
    arn: str
    description: str
    require_mfa: bool
    max_session_duration: int
    groups: tuple[str, ...]
    users: tuple[str, ...]
    switch_role_url: str
    profile: str | None  # None for roles no longer in org.yaml: no profile is generated
    deployed: bool
    in_config: bool

    @property
    def ref(self) -> str:
        """``account/Role``, as org.yaml writes it."""
        return f"{self.account}/{self.name}"


@dataclass(frozen=True)
class CatalogUser:
    """A user of the master account and the roles it may assume (``account/Role``); a user
    still deployed but no longer in org.yaml has ``in_config=False``."""

    name: str
    arn: str
    groups: tuple[str, ...]
    roles: tuple[str, ...]
    deployed: bool
    in_config: bool


@dataclass(frozen=True)
class Catalog:
    """The whole catalog of one organization."""

    organization: str
    master_account: str
    generated_at: str
    accounts: tuple[CatalogAccount, ...]
    roles: tuple[CatalogRole, ...]
    users: tuple[CatalogUser, ...]
    differences: tuple[str, ...]

    @property
    def warnings(self) -> tuple[str, ...]:
        """One line per account whose state could not be used, naming the account."""
        lines = []
        for account in self.accounts:
            if account.state == "deployed":
                continue
            if any(r.account == account.name for r in self.roles):
                lines.append(
                    f"account {account.name}: {account.reason}; "
                    "its roles are listed as not deployed"
                )
            if account.name == self.master_account:
                lines.append(
                    f"account {account.name}: {account.reason}; groups and users are shown as "
                    "in org.yaml and listed as not deployed"
                )
        return tuple(lines)

    @property
    def complete(self) -> bool:
        """True when every account was read and every role is deployed exactly as configured."""
        read = all(a.state == "deployed" for a in self.accounts)
        deployed = all(r.deployed for r in self.roles)
        return read and deployed and not self.differences and not self.warnings


def switch_role_url(account_id: str, role_arn: str, display_name: str) -> str:
    """The console's switch-role link; ``roleName`` carries the role's path, if any."""
    role_name = role_arn.split(":role/", 1)[1]
    query = {
        "roleName": role_name,
        "account": account_id,
        "displayName": display_name[:DISPLAY_NAME_MAX],
    }
    return f"{SWITCH_ROLE_URL}?{urlencode(query, quote_via=quote, safe='')}"


def build_catalog(
    org: Organization, states: Sequence[AccountState], *, generated_at: datetime
) -> Catalog:
    """The catalog of ``org`` from the states of its accounts (any account missing = unread)."""
    by_account = {s.account: s for s in states}
    differences: list[str] = []
    states = [by_account.get(a) or _unread(a) for a in org.account_names()]
    accounts = tuple(_account(org, s, differences) for s in states)
    access = group_access(org, states[0])  # account_names() puts the master account first
    if access.deployed:
        differences += _access_differences(org, access)
    roles = [role for s in states for role in _account_roles(org, s, access, differences)]
    return Catalog(
        organization=org.name,
        master_account=org.master_name,
        generated_at=generated_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        accounts=accounts,
        roles=tuple(roles),
        users=_users(org, access, roles),
        differences=tuple(differences),
    )


def _unread(account: str) -> AccountState:
    return AccountState(account, "unreadable", reason="its state was not read")


def _account(org: Organization, state: AccountState, differences: list[str]) -> CatalogAccount:
    account = org.account(state.account)
    if state.account_id is not None and state.account_id != account.id:
        differences.append(
            f"account {state.account}: id {account.id} in org.yaml, {state.account_id} deployed"
        )
    return CatalogAccount(state.account, account.id, account.protected, state.status, state.reason)


def _access_differences(org: Organization, access: GroupAccess) -> list[str]:
    """Groups, grants and memberships where org.yaml and the master account's state disagree."""
    lines: list[str] = []
    wanted = config_grants(org)
    for group in sorted(set(wanted) | set(access.grants)):
        if group not in access.grants:
            lines.append(f"group {group}: in org.yaml but not deployed")
        elif group not in wanted:
            lines.append(f"group {group}: deployed but no longer in org.yaml")
        elif wanted[group] != access.grants[group]:
            lines.append(
                f"group {group}: grants differ from org.yaml"
                + _delta(wanted[group], access.grants[group])
            )
    for user in sorted(set(org.config.users) | set(access.members)):
        if user not in access.members:
            lines.append(f"user {user}: in org.yaml but not deployed")
        elif user not in org.config.users:
            lines.append(f"user {user}: deployed but no longer in org.yaml")
        elif set(org.config.users[user].groups) != set(access.members[user]):
            lines.append(
                f"user {user}: groups differ from org.yaml"
                + _delta(set(org.config.users[user].groups), set(access.members[user]))
            )
    return lines


def _delta(wanted: set[str] | frozenset[str], deployed: set[str] | frozenset[str]) -> str:
    parts = [f"to add {', '.join(sorted(wanted - deployed))}"] if wanted - deployed else []
    parts += [f"to remove {', '.join(sorted(deployed - wanted))}"] if deployed - wanted else []
    return " (" + "; ".join(parts) + ")"


def _account_roles(
    org: Organization, state: AccountState, access: GroupAccess, differences: list[str]
) -> list[CatalogRole]:
    configured = org.roles_in(state.account)
    deployed = state.roles if state.status == "deployed" else {}
    roles = []
    for name in sorted(set(configured) | set(deployed)):
        ref = RoleRef(state.account, name)
        config, live = configured.get(name), deployed.get(name)
        if state.status == "deployed":
            differences += _role_differences(org, ref, config, live)
        roles.append(_role(org, ref, config, live, access))
    return roles


def _role_differences(
    org: Organization, ref: RoleRef, config: Role | None, live: DeployedRole | None
) -> list[str]:
    if live is None:
        return [f"role {ref}: in org.yaml but not deployed"]
    if config is None:
        return [f"role {ref}: deployed but no longer in org.yaml"]
    lines = []
    if live.arn != org.role_arn(ref):
        lines.append(f"role {ref}: ARN {org.role_arn(ref)} in org.yaml, {live.arn} deployed")
    if live.require_mfa != org.requires_mfa(ref):
        lines.append(
            f"role {ref}: require_mfa {str(org.requires_mfa(ref)).lower()} in org.yaml, "
            f"{str(live.require_mfa).lower()} deployed"
        )
    if live.max_session_duration != config.max_session_duration:
        lines.append(
            f"role {ref}: max_session_duration {config.max_session_duration} in org.yaml, "
            f"{live.max_session_duration} deployed"
        )
    return lines


def _role(
    org: Organization,
    ref: RoleRef,
    config: Role | None,
    live: DeployedRole | None,
    access: GroupAccess,
) -> CatalogRole:
    account_id = org.account(ref.account).id
    arn = live.arn if live is not None else org.role_arn(ref)
    facts = live if live is not None else config  # what is deployed, else what is configured
    assert facts is not None, "a role is in org.yaml, deployed, or both"
    require_mfa = live.require_mfa if live is not None else org.requires_mfa(ref)
    groups = tuple(sorted(g for g, arns in access.grants.items() if arn in arns))
    users = tuple(sorted(u for u, gs in access.members.items() if set(gs) & set(groups)))
    return CatalogRole(
        account=ref.account,
        account_id=account_id,
        name=ref.role,
        arn=arn,
        description=config.description if config is not None else "",
        require_mfa=require_mfa,
        max_session_duration=facts.max_session_duration,
        groups=groups,
        users=users,
        switch_role_url=switch_role_url(account_id, arn, str(ref)),
        profile=default_profile_name(ref.account, ref.role) if config is not None else None,
        deployed=live is not None,
        in_config=config is not None,
    )


def _users(
    org: Organization, access: GroupAccess, roles: Sequence[CatalogRole]
) -> tuple[CatalogUser, ...]:
    users = []
    for name in sorted(set(org.config.users) | set(access.members)):
        deployed = access.deployed and name in access.members
        groups = access.members.get(name, ())
        arn = access.user_arns.get(name) or iam_arn(
            org.master.id, "user", org.config.users[name].path, name
        )
        assumable = tuple(r.ref for r in roles if name in r.users)
        users.append(
            CatalogUser(name, arn, groups, assumable, deployed, in_config=name in org.config.users)
        )
    return tuple(users)
