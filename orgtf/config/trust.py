"""Who may assume each role, and with MFA or not: the effective settings and their checks.

A role's ``require_mfa`` left unset takes its account's ``require_mfa``, so one role can need
MFA in one account and not in another; a role's ``trust`` left unset takes
``organization.trust`` (a role's own ``trust`` replaces it whole). Everything downstream asks
``role_requires_mfa`` and ``role_trust`` (through ``Organization``) and never reads the fields.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from orgtf.config.findings import Finding, PathKey
from orgtf.config.model import OrgConfig, Role, RoleRef, Trust
from orgtf.config.policy import policy_size, trust_policy

# A role or user, never a wildcard or an account root: those would undo the narrowing.
TRUST_PRINCIPAL = re.compile(
    r"^arn:aws(-[a-z]+)*:iam::[0-9]{12}:(role|user)/([\x21-\x29\x2b-\x3e\x40-\x7e]+/)?"
    r"[A-Za-z0-9_+=,.@-]{1,64}$"
)


def role_requires_mfa(config: OrgConfig, ref: RoleRef) -> bool:
    """Whether assuming role ``ref.role`` in account ``ref.account`` needs MFA."""
    role = config.roles[ref.role]
    if role.require_mfa is not None:
        return role.require_mfa
    return config.accounts[ref.account].require_mfa


def role_trust(config: OrgConfig, role: str) -> Trust:
    """The trust settings of ``role``: its own, else ``organization.trust``."""
    own = config.roles[role].trust
    return own if own is not None else config.organization.trust


def check_trust(config: OrgConfig) -> Iterator[Finding]:
    """Extra principals that are not role or user ARNs, trust policies over the quota, and
    a warning for each role that opts out of MFA in a protected account requiring it."""
    yield from _check_principals(("organization", "trust"), config.organization.trust)
    for name, role in config.roles.items():
        if role.trust is not None:
            yield from _check_principals(("roles", name, "trust"), role.trust)
        yield from _check_size(config, name, role)
        yield from _opt_outs(config, name, role)


def _check_principals(base: PathKey, trust: Trust) -> Iterator[Finding]:
    seen: set[str] = set()
    for index, arn in enumerate(trust.extra_principals):
        where = (*base, "extra_principals", index)
        if not TRUST_PRINCIPAL.fullmatch(arn):
            yield Finding(
                where,
                f"{arn!r} is not the ARN of an IAM role or user "
                "(arn:aws:iam::ACCOUNT:role/NAME or arn:aws:iam::ACCOUNT:user/NAME)",
            )
        elif arn in seen:
            yield Finding(where, f"{arn!r} is listed twice")
        seen.add(arn)


def _check_size(config: OrgConfig, name: str, role: Role) -> Iterator[Finding]:
    master = config.accounts.get(config.organization.master_account)
    known = [a for a in role.accounts if a in config.accounts]
    if master is None or not known:
        return
    trust = role_trust(config, name)
    mfa = any(role_requires_mfa(config, RoleRef(a, name)) for a in known)  # the longer one
    document = trust_policy(
        master.id,
        mfa,
        role.mfa_max_age,
        principals=trust.principals,
        extra_principals=trust.extra_principals,
    )
    size, limit = policy_size(document), config.limits.role_trust_policy_size
    if size > limit:
        own = role.trust is not None  # then point at its trust key, else where it always did
        yield Finding(
            ("roles", name, "trust") if own else ("roles", name),
            f"trust policy of role {name!r} is {size:,} characters; the quota is {limit:,}",
            at_key=own,
        )


def _opt_outs(config: OrgConfig, name: str, role: Role) -> Iterator[Finding]:
    if role.require_mfa is not False:
        return
    for account in dict.fromkeys(role.accounts):
        settings = config.accounts.get(account)
        if settings is not None and settings.protected and settings.require_mfa:
            yield Finding(
                ("roles", name, "require_mfa"),
                f"role {name!r} opts out of MFA in protected account {account!r}, whose roles "
                f"require MFA (accounts.{account}.require_mfa); its users may assume it "
                "without MFA",
                severity="warning",
            )
