"""An organization as it is, for ``orgtf import``: its accounts and every account's IAM.

The accounts come from AWS Organizations (the master from ``DescribeOrganization``); each
account's IAM from one paginated ``GetAccountAuthorizationDetails`` (everything: users,
groups, roles, customer managed policies), plus what that call leaves out for the roles that
trust the master account (``GetRole``: description and session duration) and, in the master,
which users have a console password (``GetLoginProfile``). Accounts are read in parallel
through ``organization.access_role``; an account that cannot be read is named with the
reason, and the others are still read. Reading changes nothing.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from orgtf.errors import OrgtfError
from orgtf.iam.details import AccountDetails, IamRole, parse_details
from orgtf.live.connect import Connection, Credentials
from orgtf.live.read import MAX_PARALLEL, in_parallel

EVERYTHING = ("User", "Group", "Role", "LocalManagedPolicy")


@dataclass(frozen=True)
class LiveAccount:
    """An account as AWS Organizations lists it: its id (as IAM knows it) and name."""

    id: str
    name: str


@dataclass(frozen=True)
class RoleFacts:
    """What ``GetRole`` adds to a role's details."""

    description: str
    max_session_duration: int


@dataclass(frozen=True)
class AccountInventory:
    """One account's IAM, with what import needs beyond the details."""

    account: LiveAccount
    details: AccountDetails
    role_facts: Mapping[str, RoleFacts]  # by role name: the roles that trust the master
    console_users: frozenset[str]  # users with a login profile (the master only)


@dataclass(frozen=True)
class Inventory:
    """The organization: master first, each account read or the reason it was not."""

    master: LiveAccount
    accounts: tuple[LiveAccount, ...]  # master first, then by name
    iam: Mapping[str, AccountInventory | str]  # by account id
    where: str
    seconds: float


def list_accounts(connection: Connection) -> tuple[LiveAccount, tuple[LiveAccount, ...]]:
    """The master and every active account (master first, then by name)."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        client = connection.client("organizations")
        master_id = str(client.describe_organization()["Organization"]["MasterAccountId"])
        pages = client.get_paginator("list_accounts").paginate()
        listed = [a for page in pages for a in page["Accounts"] if a.get("Status") == "ACTIVE"]
    except (BotoCoreError, ClientError) as exc:
        raise OrgtfError(
            f"cannot list the organization's accounts from {connection.label}: {exc}"
        ) from exc
    accounts = [
        LiveAccount(connection.member_ids.get(str(a["Id"]), str(a["Id"])), str(a["Name"]))
        for a in listed
    ]
    master = next((a for a in accounts if a.id == master_id), LiveAccount(master_id, "master"))
    others = sorted((a for a in accounts if a.id != master_id), key=lambda a: (a.name, a.id))
    return master, (master, *others)


def read_inventory(
    connection: Connection,
    access_role: str,
    *,
    only: Collection[str] | None = None,
    parallelism: int = MAX_PARALLEL,
) -> Inventory:
    """Every account's IAM (or those whose ids are in ``only``), read in parallel."""
    clock = time.monotonic()
    master, accounts = list_accounts(connection)
    chosen = [a for a in accounts if only is None or a.id in only]
    results = in_parallel(
        chosen, lambda a: _read(connection, a, master.id, access_role), parallelism
    )
    iam = {account.id: result for account, result in zip(chosen, results, strict=True)}
    return Inventory(master, accounts, iam, connection.label, time.monotonic() - clock)


def _read(
    connection: Connection, account: LiveAccount, master_id: str, access_role: str
) -> AccountInventory | str:
    from botocore.exceptions import BotoCoreError, ClientError

    credentials: Credentials | None = None
    try:
        if account.id != master_id:
            role_arn = f"arn:aws:iam::{account.id}:role/{access_role}"
            try:
                credentials = connection.assume(role_arn, f"orgtf-import-{account.id}")
            except ClientError as exc:
                return f"cannot assume {role_arn}: {exc}"
        iam = connection.client("iam", credentials)
        pages = iam.get_paginator("get_account_authorization_details").paginate(
            Filter=list(EVERYTHING)
        )
        details = parse_details(account.id, pages)
        facts = {r.name: _role_facts(iam, r.name) for r in details.roles if trusts(r, master_id)}
        console = _console_users(iam, details) if account.id == master_id else frozenset()
        return AccountInventory(account, details, facts, console)
    except (BotoCoreError, ClientError) as exc:
        return str(exc)


def trusts(role: IamRole, account_id: str) -> bool:
    """Whether ``role``'s trust policy names ``account_id`` (not a service-linked role)."""
    return not role.service_linked and account_id in str(role.trust or "")


def _role_facts(iam: Any, name: str) -> RoleFacts:
    role = iam.get_role(RoleName=name)["Role"]
    return RoleFacts(str(role.get("Description", "")), int(role.get("MaxSessionDuration", 3600)))


def _console_users(iam: Any, details: AccountDetails) -> frozenset[str]:
    found = set()
    for user in details.users:
        try:
            iam.get_login_profile(UserName=user.name)
        except iam.exceptions.NoSuchEntityException:
            continue
        found.add(user.name)
    return frozenset(found)
