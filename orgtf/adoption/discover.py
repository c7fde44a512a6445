"""From what was read in AWS to the org.yaml that describes it (``orgtf import``).

Account names come from AWS Organizations, made into org.yaml names; roles from every account
(``orgtf.adoption.roles``), merged by name when they are the same role in several accounts;
groups and users from the master account (``orgtf.adoption.groups``). The organization's
settings say what orgtf would otherwise change on its first plan: no default tags, and the
self-service group only when orgtf's own is there already (an organization orgtf managed).
Everything else is listed as unmanaged, with the reason.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from orgtf.adoption.found import FoundOrganization, Unmanaged
from orgtf.adoption.groups import GrantTarget, express_groups, express_users
from orgtf.adoption.roles import FoundRole, express_role
from orgtf.config.self_service import SELF_SERVICE_GROUP
from orgtf.live.inventory import AccountInventory, Inventory, LiveAccount, trusts

MAX_NAME = 58  # ACCOUNT_NAME in orgtf.config.model


@dataclass(frozen=True)
class ImportSettings:
    """The organization settings org.yaml gets: given, or kept from the org.yaml replaced."""

    name: str
    region: str
    access_role: str
    caller: str  # the ARN behind the credentials: never managed
    state: Mapping[str, Any] = field(default_factory=lambda: {"backend": "local"})


def discover(inventory: Inventory, settings: ImportSettings) -> FoundOrganization:
    """The org.yaml data for ``inventory``, its comments and what stays unmanaged."""
    names = account_names(inventory.accounts)
    comments: dict[tuple[str, str], tuple[str, ...]] = {}
    accounts: dict[str, Any] = {}
    unread: dict[str, str] = {}
    for account in inventory.accounts:
        name = names[account.id]
        accounts[name] = {"id": account.id}
        notes = [f"AWS name: {account.name}"] if account.name != name else []
        read = inventory.iam.get(account.id)
        if isinstance(read, str):
            unread[name] = read
            notes.append(f"not read ({read}); import it again with --account {name}")
        if notes:
            comments[("accounts", name)] = tuple(notes)
    read_ok = {names[a]: r for a, r in inventory.iam.items() if isinstance(r, AccountInventory)}
    roles, policies, left = _roles(read_ok, settings, inventory.master.id)
    master = names[inventory.master.id]
    targets = {
        f"arn:aws:iam::{accounts[account]['id']}:role{data.get('path', '/')}{role}": GrantTarget(
            f"{account}/{role}", bool(data.get("require_mfa"))
        )
        for role, data in roles.items()
        for account in data["accounts"]
    }
    groups: dict[str, Any] = {}
    users: dict[str, Any] = {}
    self_service = False
    if master in read_ok:
        details = read_ok[master].details
        groups, group_left = express_groups(master, details, targets)
        self_service = groups.pop(SELF_SERVICE_GROUP, None) is not None
        users, user_left = express_users(master, details, groups, settings.caller)
        left += group_left + user_left
        for user in sorted(read_ok[master].console_users & users.keys()):
            users[user]["console"] = True
            comments[("users", user)] = (
                "has a console password: orgtf manages the login profile, not the password "
                "(orgtf users password shows nothing for it)",
            )
    data = {
        "version": 1,
        "organization": {
            "name": settings.name,
            "master_account": master,
            "region": settings.region,
            "access_role": settings.access_role,
            "state": dict(settings.state),
            "default_tags": {},
            "self_service": self_service,
        },
        "accounts": accounts,
        "policies": policies,
        "roles": roles,
        "groups": groups,
        "users": users,
    }
    return FoundOrganization(data, comments, tuple(sorted(left)), unread)


def account_names(accounts: tuple[LiveAccount, ...]) -> dict[str, str]:
    """Account id -> org.yaml name: AWS's name in lower case, a-z0-9 and -, made unique."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for account in accounts:
        base = re.sub(r"[^a-z0-9]+", "-", account.name.lower()).strip("-") or "account"
        if not base[0].isalpha():
            base = f"account-{base}"
        name = base[:MAX_NAME].rstrip("-")
        if name in taken:
            name = f"{name[: MAX_NAME - 5]}-{account.id[-4:]}"
        taken.add(name)
        names[account.id] = name
    return names


def _roles(
    read: Mapping[str, AccountInventory], settings: ImportSettings, master_id: str
) -> tuple[dict[str, Any], dict[str, Any], list[Unmanaged]]:
    found: dict[str, list[FoundRole]] = defaultdict(list)
    left: list[Unmanaged] = []
    for account, inventory in read.items():
        for item in _account_roles(account, inventory, settings, master_id):
            if isinstance(item, Unmanaged):
                left.append(item)
            else:
                found[item.name].append(item)
    _drop_clashing_policies(found, left)
    policies: dict[str, Any] = {}
    roles: dict[str, Any] = {}
    for name, copies in sorted(found.items()):
        if any(dict(c.data) != dict(copies[0].data) for c in copies):
            where = ", ".join(c.account for c in copies)
            why = f"a role of this name differs between accounts ({where})"
            left += [Unmanaged(c.account, "role", name, why) for c in copies]
            continue
        roles[name] = {"accounts": sorted(c.account for c in copies), **copies[0].data}
        for policy in copies[0].policies:
            policies.setdefault(policy, dict(copies[0].policies[policy]))
    used = {p for data in roles.values() for p in data.get("policies", [])}
    return roles, {n: policies[n] for n in sorted(used)}, left


def _account_roles(
    account: str, inventory: AccountInventory, settings: ImportSettings, master_id: str
) -> Iterator[FoundRole | Unmanaged]:
    for role in inventory.details.roles:
        if role.service_linked:
            yield Unmanaged(account, "role", role.name, "a service-linked role, AWS's own")
        elif role.name == settings.access_role:
            yield Unmanaged(account, "role", role.name, "the access role orgtf works through")
        elif role.arn == settings.caller:
            yield Unmanaged(account, "role", role.name, "the role this import runs as")
        elif not trusts(role, master_id):
            yield Unmanaged(account, "role", role.name, "it does not trust the master account")
        else:
            facts = inventory.role_facts[role.name]
            yield express_role(account, inventory.details, role, facts, master_id)


def _drop_clashing_policies(found: dict[str, list[FoundRole]], left: list[Unmanaged]) -> None:
    """Drop the roles whose policy of a name differs from another account's policy of it."""
    versions: dict[str, set[str]] = defaultdict(set)
    for copies in found.values():
        for copy in copies:
            for name, policy in copy.policies.items():
                versions[name].add(repr(sorted(policy.items())))
    clashing = {name for name, seen in versions.items() if len(seen) > 1}
    for name in list(found):
        bad = [c for c in found[name] if clashing & c.policies.keys()]
        for copy in bad:
            which = ", ".join(sorted(clashing & copy.policies.keys()))
            why = f"it uses {which}, a policy that differs between accounts"
            left.append(Unmanaged(copy.account, "role", name, why))
        if bad:
            del found[name]
