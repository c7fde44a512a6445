"""Rules that relate parts of org.yaml to each other, and IAM quotas and size limits.

Each check yields ``(path, message)``; the loader turns paths into file positions.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from orgtf.config.characters import check_characters
from orgtf.config.findings import Finding, PathKey, Raw
from orgtf.config.grants import check_grant_policy
from orgtf.config.identity_center import check_identity_center
from orgtf.config.model import OrgConfig, RoleRef
from orgtf.config.naming import check_naming
from orgtf.config.policy import (
    MANAGED_POLICY_SIZE,
    ROLE_INLINE_SIZE,
    GroupGrantPlan,
    RoleGrant,
    check_document,
    plan_group_grants,
    policy_size,
)
from orgtf.config.quotas import check_quotas
from orgtf.config.tags import check_tags
from orgtf.config.trust import check_trust, role_requires_mfa
from orgtf.config.users import check_users
from orgtf.text import did_you_mean

POLICY_ARN = re.compile(
    r"^arn:aws(-[a-z]+)*:iam::(aws|[0-9]{12}):policy(/[\x21-\x7e]*)?/[\w+=,.@-]+$"
)


MAX_HINTS = 20  # names given a did-you-mean hint per run; see Unknown


@dataclass
class Unknown:
    """Messages for names org.yaml does not define, with did-you-mean hints for the first few.

    A hint compares the name with every known one, up to 0.1 s each against thousands of
    similar names: each name is compared once, and only the first MAX_HINTS names are.
    """

    hints: dict[tuple[str, str], str] = field(default_factory=dict)

    def __call__(self, kind: str, name: str, known: Mapping[str, Any]) -> str:
        key = (kind, name)
        if key not in self.hints:
            self.hints[key] = did_you_mean(name, known) if len(self.hints) < MAX_HINTS else ""
        return f"unknown {kind} {name!r}{self.hints[key]}"


def check_all(config: OrgConfig) -> Iterator[Finding]:
    """Every cross-reference, limit, quota and character problem of a field-valid config."""
    unknown = Unknown()
    checks: tuple[Callable[[OrgConfig], Iterator[Raw]], ...] = (
        partial(_check_accounts, unknown=unknown),
        _check_policies,
        partial(_check_roles, unknown=unknown),
        partial(_check_groups, unknown=unknown),
        partial(_check_users, unknown=unknown),
        check_naming,
        check_tags,
        check_characters,
        check_quotas,
        check_trust,
        check_users,
        check_identity_center,
    )
    for check in checks:
        for raw in check(config):
            yield raw if isinstance(raw, Finding) else Finding(*raw)


def _check_accounts(config: OrgConfig, unknown: Unknown) -> Iterator[Raw]:
    master = config.organization.master_account
    if master not in config.accounts:
        yield ("organization", "master_account"), unknown("account", master, config.accounts)
    seen: dict[str, str] = {}
    for name, account in config.accounts.items():
        if account.id in seen:
            yield (
                ("accounts", name, "id"),
                (f"account id {account.id} is already used by account {seen[account.id]!r}"),
            )
        seen.setdefault(account.id, name)


def _check_policies(config: OrgConfig) -> Iterator[Raw]:
    for name, policy in config.policies.items():
        base: PathKey = ("policies", name, "document")
        yield from _document(base, policy.document)
        size = policy_size(policy.document)
        if size > MANAGED_POLICY_SIZE:
            yield (
                base,
                (
                    f"policy {name!r} is {size:,} characters (whitespace excluded); IAM allows "
                    f"{MANAGED_POLICY_SIZE:,} for a managed policy"
                ),
            )


def _check_roles(config: OrgConfig, unknown: Unknown) -> Iterator[Raw]:
    access_role = config.organization.access_role
    for name, role in config.roles.items():
        base: PathKey = ("roles", name)
        for index, account in enumerate(role.accounts):
            if account not in config.accounts:
                yield (*base, "accounts", index), unknown("account", account, config.accounts)
            elif name == access_role and account != config.organization.master_account:
                yield (
                    (*base, "accounts", index),
                    (
                        f"role {name!r} is orgtf's access role (organization.access_role) in "
                        f"account {account!r}; pick another name"
                    ),
                )
        yield from _duplicates((*base, "accounts"), role.accounts)
        for index, policy in enumerate(role.policies):
            if policy not in config.policies:
                yield (*base, "policies", index), unknown("policy", policy, config.policies)
        yield from _duplicates((*base, "policies"), role.policies)
        yield from _arns((*base, "managed_policy_arns"), role.managed_policy_arns)
        yield from _duplicates((*base, "managed_policy_arns"), role.managed_policy_arns)
        if role.permissions_boundary is not None and not POLICY_ARN.fullmatch(
            role.permissions_boundary
        ):
            yield (*base, "permissions_boundary"), _bad_arn(role.permissions_boundary)
        attached = len(role.managed_policy_arns) + len(role.policies)
        limit = config.limits.managed_policies_per_role
        if attached > limit:
            yield (
                (*base, "managed_policy_arns"),
                (
                    f"role {name!r} attaches {attached} managed policies; the quota is {limit} "
                    "per role (raise limits.managed_policies_per_role if your quota is higher)"
                ),
            )
        if role.inline_policy is not None:
            yield from _document((*base, "inline_policy"), role.inline_policy)
            size = policy_size(role.inline_policy)
            if size > ROLE_INLINE_SIZE:
                yield (
                    (*base, "inline_policy"),
                    (
                        f"inline policy of role {name!r} is {size:,} characters (whitespace "
                        f"excluded); IAM allows {ROLE_INLINE_SIZE:,} in total per role"
                    ),
                )


def _check_groups(config: OrgConfig, unknown: Unknown) -> Iterator[Raw]:
    for name, group in config.groups.items():
        base: PathKey = ("groups", name)
        valid = True
        for index, ref in enumerate(group.roles):
            problem = _role_ref_problem(config, ref, unknown)
            if problem:
                valid = False
                yield (*base, "roles", index), problem
        yield from _duplicates((*base, "roles"), group.roles)
        yield from _arns((*base, "managed_policy_arns"), group.managed_policy_arns)
        yield from _duplicates((*base, "managed_policy_arns"), group.managed_policy_arns)
        if valid:
            yield from _group_limits(config, name)
            if group.grant_policy is not None:
                grants = [_grant(config, ref) for ref in group.roles]
                yield from check_grant_policy(base, name, group.grant_policy, grants)


def _group_limits(config: OrgConfig, name: str) -> Iterator[Raw]:
    group = config.groups[name]
    grants = [_grant(config, ref) for ref in group.roles]
    plan = plan_group_grants(grants)
    if group.grant_policy is not None:  # kept as found: one policy, inline or attached
        plan = GroupGrantPlan((), ((),) if group.grant_policy.kind == "managed" else ())
    attached = len(plan.chunks) + len(group.managed_policy_arns)
    limit = config.limits.managed_policies_per_group
    if attached > limit:
        listed = len(group.managed_policy_arns)
        extra = f" plus {listed} listed in managed_policy_arns" if listed else ""
        yield (
            ("groups", name, "roles"),
            (
                f"group {name!r} may assume {len(grants)} roles; that needs {len(plan.chunks)} "
                f"managed policies of at most {MANAGED_POLICY_SIZE:,} characters{extra}, over the "
                f"quota of {limit} per group (raise limits.managed_policies_per_group if your "
                "quota is higher, or split the group)"
            ),
        )
    longest = f"orgtf-{name}-assume-roles-{len(plan.chunks)}"
    if plan.chunks and len(longest) > 128:
        yield ("groups", name), f"group name {name!r} is too long to name its grant policies"


def _check_users(config: OrgConfig, unknown: Unknown) -> Iterator[Raw]:
    limit = config.limits.groups_per_user
    for name, user in config.users.items():
        base: PathKey = ("users", name)
        for index, group in enumerate(user.groups):
            if group not in config.groups:
                yield (*base, "groups", index), unknown("group", group, config.groups)
        yield from _duplicates((*base, "groups"), user.groups)
        if len(set(user.groups)) > limit:
            yield (
                (*base, "groups"),
                (
                    f"user {name!r} is in {len(set(user.groups))} groups; "
                    f"IAM allows {limit} per user"
                ),
            )


def _role_ref_problem(config: OrgConfig, ref: RoleRef, unknown: Unknown) -> str | None:
    if ref.account not in config.accounts:
        return unknown("account", ref.account, config.accounts)
    role = config.roles.get(ref.role)
    if role is None:
        return unknown("role", ref.role, config.roles)
    if ref.account not in role.accounts:
        deployed = ", ".join(role.accounts)
        return f"role {ref.role!r} is not deployed to account {ref.account!r} (only to: {deployed})"
    return None


def _grant(config: OrgConfig, ref: RoleRef) -> RoleGrant:
    role = config.roles[ref.role]
    account_id = config.accounts[ref.account].id
    arn = f"arn:aws:iam::{account_id}:role{role.path}{ref.role}"
    return RoleGrant(arn, role_requires_mfa(config, ref))


def _document(base: PathKey, document: Mapping[str, Any]) -> Iterator[Raw]:
    for issue in check_document(document):
        yield Finding((*base, *issue.path), issue.message, issue.at_key)


def _arns(base: PathKey, arns: tuple[str, ...]) -> Iterator[Raw]:
    for index, arn in enumerate(arns):
        if not POLICY_ARN.fullmatch(arn):
            yield (*base, index), _bad_arn(arn)


def _duplicates(base: PathKey, items: tuple[object, ...]) -> Iterator[Raw]:
    seen: set[object] = set()
    for index, item in enumerate(items):
        if item in seen:
            yield (*base, index), f"{str(item)!r} is listed twice"
        seen.add(item)


def _bad_arn(arn: str) -> str:
    return f"{arn!r} is not a policy ARN (arn:aws:iam::ACCOUNT|aws:policy/NAME)"
