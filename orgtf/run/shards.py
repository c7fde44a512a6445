"""Shards: deterministic, balanced parts of the accounts to plan, for plans on several runners.

Each account weighs what its plan has to read: an estimate of the resources in its root,
from org.yaml alone (so every runner computes the same weights). Accounts are dealt out
largest first, each to the lightest shard so far (ties: the shard with fewer accounts, then
the lower number); equal weights go in name order. Shards are disjoint and together hold
every account; the same accounts and org.yaml always give the same shards.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from orgtf.config import Organization
from orgtf.errors import UsageError

_SPEC = re.compile(r"^([1-9][0-9]{0,3})/([1-9][0-9]{0,3})$")
ACCOUNT_WEIGHT = 1  # the root itself: init, the provider and its credentials


@dataclass(frozen=True, order=True)
class Shard:
    """Shard ``index`` (from 1) of ``count``."""

    index: int
    count: int

    def __post_init__(self) -> None:
        if not 1 <= self.index <= self.count:
            raise ValueError(f"shard {self.index} of {self.count} does not exist")

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    @classmethod
    def parse(cls, text: str) -> Shard:
        """``K/N`` with 1 <= K <= N; UsageError otherwise."""
        found = _SPEC.match(text.strip())
        if found is None or int(found[1]) > int(found[2]):
            raise UsageError(f"expected --shard K/N with 1 <= K <= N (e.g. 2/4), got {text!r}")
        return cls(int(found[1]), int(found[2]))


def account_weight(org: Organization, account: str) -> int:
    """Estimated resources in ``account``'s root, the root itself counting as one.

    Per role: the role, one attachment per managed policy ARN, the named policy and its
    attachment per policy, and its inline policy. The master account adds, per group, the
    group, its managed policy attachments and its grant; per user, the user and its group
    memberships.
    """
    weight = ACCOUNT_WEIGHT
    for role in org.roles_in(account).values():
        weight += 1 + len(role.managed_policy_arns) + 2 * len(role.policies)
        weight += role.inline_policy is not None
    if account == org.master_name:
        for group in org.config.groups.values():
            weight += 1 + len(group.managed_policy_arns) + bool(group.roles)
        weight += 2 * len(org.config.users)
    return weight


def split(org: Organization, accounts: Sequence[str], count: int) -> list[list[str]]:
    """``accounts`` dealt into ``count`` shards by weight; each shard in ``accounts`` order."""
    weights = {account: account_weight(org, account) for account in accounts}
    loads = [0] * count
    members: list[set[str]] = [set() for _ in range(count)]
    for account in sorted(accounts, key=lambda a: (-weights[a], a)):
        lightest = min(range(count), key=lambda i: (loads[i], len(members[i]), i))
        loads[lightest] += weights[account]
        members[lightest].add(account)
    return [[a for a in accounts if a in shard] for shard in members]


def shard_accounts(org: Organization, accounts: Sequence[str], shard: Shard) -> list[str]:
    """The accounts of ``shard`` among ``accounts``, in ``accounts`` order."""
    return split(org, accounts, shard.count)[shard.index - 1]
