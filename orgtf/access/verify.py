"""Effective access against declared access: what the live IAM allows that org.yaml does not
say, what org.yaml says that IAM does not allow, and roles whose MFA requirement differs.

The input is each account's IAM as read (``orgtf.iam.details.AccountDetails``, by account
name); ``orgtf.iam.reach`` decides, with the policy evaluator, which principal of the master
account (users through their groups and their own policies, and roles) may assume which role
of the organization, with or without MFA. The comparison:

- ``extra``: effective but not declared. A master principal that may assume a role org.yaml
  does not grant it (an out-of-band group membership or policy, a wildcard), or a principal
  outside the master that a trust policy admits (a role trusting more than the master).
  A role's ``trust.extra_principals`` are declared for that role.
- ``missing``: a (user, role) pair of ``orgtf access`` that IAM does not allow, even with MFA.
- ``mfa``: the role's trust policy requires MFA of the master's users where org.yaml does not,
  or the reverse (principal: the master account's root ARN); or a declared pair is allowed
  with another MFA requirement than declared (principal: the user).

``skip`` names principals left out of ``extra``: the identity the IAM was read with, which
assumes every account's access role and so reaches every role by design.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass

from orgtf.access.matrix import AccessEntry, access_entries
from orgtf.config import Organization, RoleRef
from orgtf.config.organization import iam_arn
from orgtf.iam.details import AccountDetails, IamRole
from orgtf.iam.evaluate import Reason
from orgtf.iam.outside import outside_principals
from orgtf.iam.reach import (
    Assumption,
    Identity,
    assumption,
    identities,
    may_assume,
    trust_admits,
)

PROBE_USER = "orgtf-verify"  # the master's user a trust policy is tried with when none is declared
REASONS: Mapping[Reason, str] = {
    "allowed": "allowed",
    "explicit_deny": "an explicit Deny refuses it",
    "no_trust_allow": "the role's trust policy does not admit the user",
    "no_identity_allow": "no policy of the user allows it",
    "boundary": "the user's permissions boundary does not allow it",
}


@dataclass(frozen=True, order=True)
class ExtraAccess:
    """Effective but not declared: ``principal`` may assume ``role_arn`` through ``via``."""

    principal: str
    role_arn: str
    via: str
    mfa: bool  # only with MFA


@dataclass(frozen=True, order=True)
class MissingAccess:
    """Declared (``via``: the groups in org.yaml) but not effective, and why (``reason``)."""

    principal: str
    role_arn: str
    via: str
    reason: str


@dataclass(frozen=True, order=True)
class MfaDifference:
    """``principal`` may assume ``role_arn`` with another MFA requirement than declared."""

    principal: str
    role_arn: str
    via: str
    declared_mfa: bool
    effective_mfa: bool


@dataclass(frozen=True)
class VerifyReport:
    """The comparison, each list sorted; ``accounts``: the accounts read, master first;
    ``source``: where the IAM was read (AWS, the sandbox)."""

    organization: str
    source: str
    accounts: tuple[str, ...]
    principals: int  # the master's users and roles compared
    roles: int  # the roles read in every account
    declared: int  # (user, role) pairs org.yaml grants
    effective: int  # (master principal, role) pairs IAM allows
    skipped: tuple[str, ...] = ()
    extra: tuple[ExtraAccess, ...] = ()
    missing: tuple[MissingAccess, ...] = ()
    mfa: tuple[MfaDifference, ...] = ()

    @property
    def differs(self) -> bool:
        """Whether effective access differs from declared access in any way."""
        return bool(self.extra or self.missing or self.mfa)


@dataclass(frozen=True)
class _LiveRole:
    account: str
    role: IamRole


def verify_access(
    org: Organization,
    details: Mapping[str, AccountDetails],
    *,
    source: str = "",
    skip: Collection[str] = (),
) -> VerifyReport:
    """Compare the IAM read from every account (``details``, by name) with org.yaml."""
    master = details[org.master_name]
    principals = identities(master)
    roles = [
        _LiveRole(name, role)
        for name in org.account_names()
        for role in details[name].roles
        if not role.service_linked
    ]
    declared = {(_user_arn(org, e.user), e.role_arn): e for e in access_entries(org)}
    trusted = _declared_principals(org)
    effective = {
        (who.arn, live.role.arn): found
        for who in principals
        for live in roles
        if who.arn != live.role.arn  # a role assuming itself: AWS wants it named, leave it
        if may_assume(who, live.role.arn)
        if (found := assumption(who, live.role.arn, live.role.trust)).allowed
    }
    extra = [
        ExtraAccess(arn, role_arn, "; ".join(found.via), found.mfa_required)
        for (arn, role_arn), found in effective.items()
        if (arn, role_arn) not in declared and arn not in trusted.get(role_arn, ())
        if arn not in skip
    ]
    extra += _outside(master.account_id, roles, trusted)
    live_roles = {live.role.arn for live in roles}
    mfa = [*_pair_mfa(declared, effective), *_role_mfa(org, master, roles, declared.values())]
    return VerifyReport(
        organization=org.name,
        source=source,
        accounts=tuple(name for name in org.account_names() if name in details),
        principals=len(principals),
        roles=len(roles),
        declared=len(declared),
        effective=sum(1 for arn, _ in effective if arn not in skip),
        skipped=tuple(sorted(skip)),
        extra=tuple(sorted(extra)),
        missing=tuple(sorted(_missing(declared, effective, principals, live_roles, roles))),
        mfa=tuple(sorted(mfa)),
    )


def _user_arn(org: Organization, user: str) -> str:
    return iam_arn(org.master.id, "user", org.config.users[user].path, user)


def _declared_principals(org: Organization) -> dict[str, frozenset[str]]:
    """Each deployed role's ARN -> the extra principals its trust policy declares."""
    return {
        org.role_arn(RoleRef(account, role)): frozenset(org.trust(role).extra_principals)
        for account in org.account_names()
        for role in org.roles_in(account)
    }


def _outside(
    master_id: str, roles: list[_LiveRole], trusted: Mapping[str, frozenset[str]]
) -> Iterator[ExtraAccess]:
    for live in roles:
        for found in outside_principals(live.role.trust, live.role.arn, master_id):
            if found.principal not in trusted.get(live.role.arn, ()):
                via = "; ".join(found.via)
                yield ExtraAccess(found.principal, live.role.arn, via, found.mfa_required)


def _missing(
    declared: Mapping[tuple[str, str], AccessEntry],
    effective: Mapping[tuple[str, str], Assumption],
    principals: tuple[Identity, ...],
    live_roles: set[str],
    roles: list[_LiveRole],
) -> Iterator[MissingAccess]:
    by_arn = {who.arn: who for who in principals}
    trusts = {live.role.arn: live.role.trust for live in roles}
    for (user_arn, role_arn), entry in declared.items():
        if (user_arn, role_arn) in effective:
            continue
        via = f"org.yaml: {_groups(entry.groups)}"
        if role_arn not in live_roles:
            reason = "the role does not exist"
        elif user_arn not in by_arn:
            reason = "the user does not exist"
        else:
            reason = REASONS[assumption(by_arn[user_arn], role_arn, trusts[role_arn]).reason]
        yield MissingAccess(user_arn, role_arn, via, reason)


def _pair_mfa(
    declared: Mapping[tuple[str, str], AccessEntry],
    effective: Mapping[tuple[str, str], Assumption],
) -> Iterator[MfaDifference]:
    for pair, entry in declared.items():
        found = effective.get(pair)
        if found is not None and found.mfa_required != entry.require_mfa:
            via = "; ".join(found.via)
            yield MfaDifference(*pair, via, entry.require_mfa, found.mfa_required)


def _role_mfa(
    org: Organization,
    master: AccountDetails,
    roles: list[_LiveRole],
    entries: Iterable[AccessEntry],
) -> Iterator[MfaDifference]:
    """Each deployed role whose trust policy asks the master's users for MFA otherwise."""
    live = {(item.account, item.role.arn): item.role for item in roles}
    root = f"arn:aws:iam::{master.account_id}:root"
    granted: dict[RoleRef, str] = {}
    for entry in entries:
        granted.setdefault(entry.ref, entry.user)
    for account in org.account_names():
        for name in org.roles_in(account):
            ref = RoleRef(account, name)
            role = live.get((account, org.role_arn(ref)))
            if role is None:
                continue  # missing: reported with the users who lose it
            probe = _probe(org, master, granted.get(ref, PROBE_USER))
            plain = trust_admits(role.trust, role.arn, probe, mfa=False)
            if not plain and not trust_admits(role.trust, role.arn, probe, mfa=True):
                continue  # it admits no user of the master at all: missing says so
            declared = org.requires_mfa(ref)
            if declared != (not plain):
                via = f"trust policy of role {name}"
                yield MfaDifference(root, role.arn, via, declared, not plain)


def _probe(org: Organization, master: AccountDetails, name: str) -> Identity:
    """A user of the master to try a trust policy with: one it is granted to, if any."""
    path = org.config.users[name].path if name in org.config.users else "/"
    arn = iam_arn(master.account_id, "user", path, name)
    return Identity("User", arn, master.account_id, name, "", (), None)


def _groups(groups: tuple[str, ...]) -> str:
    return ("group " if len(groups) == 1 else "groups ") + ", ".join(groups)
