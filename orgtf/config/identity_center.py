"""org.yaml delivered through IAM Identity Center: its names, defaults and limits.

With ``organization.identity: identity_center`` each role becomes a permission set of the
same name, each group and user an identity store group and user, and each of a group's role
references an account assignment (group x permission set x account). The checks here are
Identity Center's own limits, which are narrower than IAM's in places, with positions like
every other rule; they apply only in that mode.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from orgtf.config.findings import Finding, PathKey
from orgtf.config.model import OrgConfig, Role, User

PERMISSION_SET_NAME = 32  # CreatePermissionSet: 1-32 of [\w+=,.@-]
PERMISSION_SET_DESCRIPTION = 700
POLICIES_PER_PERMISSION_SET = 20  # AWS managed and customer managed together
PERMISSION_SETS_PER_INSTANCE = 2000
PERMISSION_SETS_PER_ACCOUNT = 50  # provisioned to one account
AWS_MANAGED = re.compile(r"^arn:aws(-[a-z]+)*:iam::aws:policy/")


@dataclass(frozen=True)
class Person:
    """An identity store user's names, from org.yaml or defaulted from the user name."""

    user_name: str
    display_name: str
    given_name: str
    family_name: str
    email: str


def person(name: str, user: User) -> Person:
    """``alice.smith`` is Alice Smith unless org.yaml says otherwise; one word is both names."""
    words = [w.capitalize() for w in re.split(r"[._+=,@-]+", name) if w] or [name]
    given = user.given_name or words[0]
    family = user.family_name or (" ".join(words[1:]) if len(words) > 1 else words[0])
    display = user.display_name or (f"{given} {family}" if given != family else given)
    return Person(name, display, given, family, user.email or "")


def check_identity_center(config: OrgConfig) -> Iterator[Finding]:
    """Identity Center's limits and what means something else there; nothing in IAM mode."""
    settings = config.organization
    if settings.identity != "identity_center":
        return
    if settings.sso_start_url is None:
        yield Finding(
            ("organization", "identity"),
            "identity_center needs organization.sso_start_url (the AWS access portal URL, "
            "https://d-xxxxxxxxxx.awsapps.com/start): profiles and links point people at it",
        )
    for name, user in config.users.items():
        if user.email is None:
            yield Finding(
                ("users", name),
                f"user {name!r} needs an email: Identity Center users sign in with it",
                True,
            )
    for name, role in config.roles.items():
        yield from _check_role(("roles", name), name, role)
    yield from _check_counts(config)
    yield from _mfa_warnings(config)


def _check_role(base: PathKey, name: str, role: Role) -> Iterator[Finding]:
    if len(name) > PERMISSION_SET_NAME:
        yield Finding(
            base,
            f"role {name!r} becomes a permission set, whose name may have at most "
            f"{PERMISSION_SET_NAME} characters ({len(name)})",
            True,
        )
    if len(role.description) > PERMISSION_SET_DESCRIPTION:
        yield Finding(
            (*base, "description"),
            f"a permission set's description has at most {PERMISSION_SET_DESCRIPTION} "
            f"characters ({len(role.description):,})",
        )
    for index, arn in enumerate(role.managed_policy_arns):
        if not AWS_MANAGED.match(arn):
            yield Finding(
                (*base, "managed_policy_arns", index),
                f"{arn} is not an AWS managed policy: a permission set attaches customer "
                "managed policies by name in each account; list it under policies:",
            )
    count = len(set(role.managed_policy_arns)) + len(set(role.policies))
    if count > POLICIES_PER_PERMISSION_SET:
        yield Finding(
            base,
            f"permission set {name!r} would have {count} managed policies; Identity Center "
            f"allows {POLICIES_PER_PERMISSION_SET} per permission set",
            True,
        )
    if role.permissions_boundary is not None:
        yield Finding(
            (*base, "permissions_boundary"),
            "orgtf does not yet set permissions boundaries on permission sets; remove it or "
            "keep identity: iam_users for this organization",
        )


def _check_counts(config: OrgConfig) -> Iterator[Finding]:
    if len(config.roles) > PERMISSION_SETS_PER_INSTANCE:
        yield Finding(
            ("roles",),
            f"{len(config.roles):,} roles are {len(config.roles):,} permission sets; an "
            f"Identity Center instance holds {PERMISSION_SETS_PER_INSTANCE:,}",
            True,
        )
    per_account: dict[str, set[str]] = {}
    for group in config.groups.values():
        for ref in group.roles:
            per_account.setdefault(ref.account, set()).add(ref.role)
    for account, roles in sorted(per_account.items()):
        if len(roles) > PERMISSION_SETS_PER_ACCOUNT and account in config.accounts:
            yield Finding(
                ("accounts", account),
                f"{len(roles)} permission sets would be provisioned to account {account!r}; "
                f"Identity Center allows {PERMISSION_SETS_PER_ACCOUNT} per account",
                True,
            )


def _mfa_warnings(config: OrgConfig) -> Iterator[Finding]:
    why = (
        "with identity_center, MFA is an Identity Center setting (at sign-in), not a role "
        "trust condition: require_mfa has no effect here; see docs/identity-center.md"
    )
    for name, account in config.accounts.items():
        if account.require_mfa:
            yield Finding(("accounts", name, "require_mfa"), why, severity="warning")
    for name, role in config.roles.items():
        if role.require_mfa:
            yield Finding(("roles", name, "require_mfa"), why, severity="warning")
