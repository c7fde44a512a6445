"""Who may assume each role, and with MFA or not: the effective settings and their checks.

A role's ``require_mfa`` left unset takes its account's ``require_mfa``, so one role can need
MFA in one account and not in another. Everything downstream asks ``role_requires_mfa``
(through ``Organization``) and never reads the field.
"""

from __future__ import annotations

from collections.abc import Iterator

from orgtf.config.findings import Finding
from orgtf.config.model import OrgConfig, Role, RoleRef
from orgtf.config.policy import policy_size, trust_policy


def role_requires_mfa(config: OrgConfig, ref: RoleRef) -> bool:
    """Whether assuming role ``ref.role`` in account ``ref.account`` needs MFA."""
    role = config.roles[ref.role]
    if role.require_mfa is not None:
        return role.require_mfa
    return config.accounts[ref.account].require_mfa


def check_trust(config: OrgConfig) -> Iterator[Finding]:
    """Trust policies over the quota, and a warning for each role that opts out of MFA in a
    protected account requiring it."""
    for name, role in config.roles.items():
        yield from _check_size(config, name, role)
        yield from _opt_outs(config, name, role)


def _check_size(config: OrgConfig, name: str, role: Role) -> Iterator[Finding]:
    master = config.accounts.get(config.organization.master_account)
    known = [a for a in role.accounts if a in config.accounts]
    if master is None or not known:
        return
    mfa = any(role_requires_mfa(config, RoleRef(a, name)) for a in known)  # the longer one
    size = policy_size(trust_policy(master.id, mfa, role.mfa_max_age))
    limit = config.limits.role_trust_policy_size
    if size > limit:
        yield Finding(
            ("roles", name),
            f"trust policy of role {name!r} is {size:,} characters; the quota is {limit:,}",
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
