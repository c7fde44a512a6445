"""IAM's quotas on the number of users, groups and roles in one account.

Users and groups all live in the master account; roles live in each account they are
deployed to, beside the access role orgtf reaches child accounts through. Roles that orgtf
does not manage (service-linked roles, for instance) count against the same quota and are
not known here: the limits can be lowered to leave room for them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from orgtf.config.findings import Finding
from orgtf.config.model import OrgConfig

IAM_USERS = 5000  # users per account: fixed by IAM


def check_quotas(config: OrgConfig) -> Iterator[Finding]:
    """Sections holding more users, groups or roles than one account may have."""
    limits = config.limits
    master = config.organization.master_account
    users, groups = len(config.users), len(config.groups)
    if users > limits.users_per_account:
        allowed = (
            f"IAM allows {IAM_USERS:,} users per account, a quota it does not raise"
            if limits.users_per_account == IAM_USERS
            else f"limits.users_per_account allows {limits.users_per_account:,}"
        )
        yield Finding(
            ("users",), f"{users:,} users, all in the master account {master!r}; {allowed}", True
        )
    if groups > limits.groups_per_account:
        yield Finding(
            ("groups",),
            f"{groups:,} groups, all in the master account {master!r}; the quota is "
            f"{limits.groups_per_account:,} groups per account (raise "
            "limits.groups_per_account if your quota is higher)",
            True,
        )
    yield from _roles_per_account(config)


def _roles_per_account(config: OrgConfig) -> Iterator[Finding]:
    limit = config.limits.roles_per_account
    access_role = config.organization.access_role
    counts = Counter(account for role in config.roles.values() for account in set(role.accounts))
    for account in config.accounts:
        own = counts[account]
        plus_access = account != config.organization.master_account
        total = own + plus_access
        if total <= limit:
            continue
        detail = f" ({own:,} from org.yaml and the access role {access_role!r})"
        yield Finding(
            ("roles",),
            f"account {account!r} would hold {total:,} roles{detail if plus_access else ''}; "
            f"the quota is {limit:,} roles per account (raise limits.roles_per_account if "
            "your quota is higher)",
            True,
        )
