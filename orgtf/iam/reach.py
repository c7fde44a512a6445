"""Who may assume a role: the principals of an account against the trust policies of others.

From an account's ``AccountDetails`` come its principals as ``sts:AssumeRole`` sees them
(``identities``): each user with its own policies and its groups', each role with its own,
every policy labelled by where it comes from. ``assumption`` then decides, with
``orgtf.iam.evaluate``, whether one may assume one role, once with and once without MFA, and
names the statements that grant it. (Whom a trust policy admits beyond one account is
``orgtf.iam.outside``'s.)

The request context is the one AWS builds for a caller's long-term keys (a user) or a role
session: ``aws:PrincipalArn``, ``aws:PrincipalAccount``, ``aws:PrincipalType``,
``aws:userid``, ``aws:username`` for users; without MFA, ``aws:MultiFactorAuthPresent`` is
absent for a user and ``false`` for a role session; with MFA it is ``true`` and
``aws:MultiFactorAuthAge`` is ``0``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

from orgtf.iam.conditions import ContextValue
from orgtf.iam.details import AccountDetails, IamRole, IamUser, InlinePolicy
from orgtf.iam.evaluate import (
    Decision,
    Document,
    Principal,
    Reason,
    Request,
    Verdict,
    authorize_assume_role,
    evaluate,
    names_caller,
    statements,
)
from orgtf.iam.scope import AllowScope, allow_scope

ACTION = "sts:AssumeRole"
SESSION_NAME = "orgtf-verify"  # a role session needs a name; trust policies rarely test it
PrincipalKind = Literal["User", "AssumedRole"]


@dataclass(frozen=True)
class LabelledPolicy:
    """A policy document and where it comes from: ``group admins: inline policy x``."""

    label: str
    document: Document


@dataclass(frozen=True)
class Identity:
    """A user or role as the caller of ``sts:AssumeRole``, with its identity policies."""

    kind: PrincipalKind
    arn: str  # the user's or the role's ARN (aws:PrincipalArn)
    account: str
    name: str
    unique_id: str
    policies: tuple[LabelledPolicy, ...]
    boundary: tuple[Document, ...] | None  # None: no permissions boundary

    @cached_property
    def scope(self) -> AllowScope:
        """The roles its policies could let it assume, conditions aside."""
        return allow_scope((p.document for p in self.policies), ACTION)

    @property
    def principal(self) -> Principal:
        """How a trust policy may name this caller: a role also by its session's ARN."""
        if self.kind == "User":
            return Principal(self.account, (self.arn,))
        session = f"arn:aws:sts::{self.account}:assumed-role/{self.name}/{SESSION_NAME}"
        return Principal(self.account, (self.arn, session))


@dataclass(frozen=True)
class Assumption:
    """Whether one identity may assume one role: at all (``allowed``, with MFA if need be),
    only with MFA (``mfa_required``), through which statements (``via``), else why not."""

    allowed: bool
    mfa_required: bool
    via: tuple[str, ...]
    reason: Reason


def identities(details: AccountDetails) -> tuple[Identity, ...]:
    """Every user and every role (but service-linked ones) of the account, by ARN."""
    found = [_user_identity(details, user) for user in details.users]
    found += [_role_identity(details, role) for role in details.roles if not role.service_linked]
    return tuple(sorted(found, key=lambda identity: identity.arn))


def may_assume(identity: Identity, role_arn: str) -> bool:
    """False when ``identity`` certainly cannot assume ``role_arn``: none of its policies
    could allow it (and the role is in another account, where the trust alone is not enough).
    A quick test: ``assumption`` decides."""
    same_account = role_arn.split(":")[4:5] == [identity.account]
    return same_account or identity.scope.may_allow(role_arn)


def assumption(identity: Identity, role_arn: str, trust: Document | None) -> Assumption:
    """Whether ``identity`` may assume ``role_arn``, whose trust policy is ``trust``."""
    plain = _decide(identity, role_arn, trust, mfa=False)
    if plain.allowed:
        return Assumption(True, False, _via(identity, role_arn, trust, mfa=False), "allowed")
    with_mfa = _decide(identity, role_arn, trust, mfa=True)
    if with_mfa.allowed:
        return Assumption(True, True, _via(identity, role_arn, trust, mfa=True), "allowed")
    return Assumption(False, False, (), with_mfa.reason)


def trust_admits(trust: Document | None, role_arn: str, identity: Identity, *, mfa: bool) -> bool:
    """Whether the trust policy alone lets ``identity`` in (its own policies aside)."""
    request = _request(identity, role_arn, mfa)
    return evaluate([trust] if trust else [], request) is Decision.ALLOW


def request_context(identity: Identity, *, mfa: bool) -> dict[str, ContextValue]:
    """The condition keys AWS fills in when ``identity`` calls ``sts:AssumeRole``."""
    context: dict[str, ContextValue] = {
        "aws:PrincipalArn": identity.arn,
        "aws:PrincipalAccount": identity.account,
        "aws:PrincipalType": identity.kind,
        "aws:userid": identity.unique_id
        if identity.kind == "User"
        else f"{identity.unique_id}:{SESSION_NAME}",
    }
    if identity.kind == "User":
        context["aws:username"] = identity.name
    if mfa:
        context.update({"aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": "0"})
    elif identity.kind == "AssumedRole":
        context["aws:MultiFactorAuthPresent"] = "false"
    return context


def _decide(identity: Identity, role_arn: str, trust: Document | None, *, mfa: bool) -> Verdict:
    request = _request(identity, role_arn, mfa)
    identity_documents = [p.document for p in identity.policies]
    return authorize_assume_role(request, identity_documents, trust, identity.boundary)


def _request(identity: Identity, role_arn: str, mfa: bool) -> Request:
    context = request_context(identity, mfa=mfa)
    return Request(ACTION, role_arn, identity.principal, context)


def _via(
    identity: Identity, role_arn: str, trust: Document | None, *, mfa: bool
) -> tuple[str, ...]:
    """The statements that allow it: identity policies', or the trust policy's own."""
    request = _request(identity, role_arn, mfa)
    found: list[str] = []
    for policy in identity.policies:
        for index, statement in enumerate(statements([policy.document])):
            if evaluate([{"Statement": [statement]}], request) is Decision.ALLOW:
                found.append(statement_label(policy.label, statement, index))
    same_account = role_arn.split(":")[4:5] == [identity.account]
    if same_account and trust is not None and names_caller([trust], request):
        found.append("trust policy: names the principal itself")
    return tuple(dict.fromkeys(found))


def statement_label(label: str, statement: Mapping[str, Any], index: int) -> str:
    """``label (statement Sid)``, or the statement's position when it has no Sid."""
    sid = statement.get("Sid")
    return f"{label} (statement {sid if isinstance(sid, str) and sid else index + 1})"


def _user_identity(details: AccountDetails, user: IamUser) -> Identity:
    policies = list(_own_policies(details, f"user {user.name}", user.inline, user.attached))
    for name in user.groups:
        group = details.group(name)
        if group is not None:
            policies += _own_policies(details, f"group {name}", group.inline, group.attached)
    return Identity(
        kind="User",
        arn=user.arn,
        account=details.account_id,
        name=user.name,
        unique_id=user.user_id,
        policies=tuple(policies),
        boundary=_boundary(details, user.boundary),
    )


def _role_identity(details: AccountDetails, role: IamRole) -> Identity:
    policies = _own_policies(details, f"role {role.name}", role.inline, role.attached)
    return Identity(
        kind="AssumedRole",
        arn=role.arn,
        account=details.account_id,
        name=role.name,
        unique_id=role.role_id,
        policies=tuple(policies),
        boundary=_boundary(details, role.boundary),
    )


def _own_policies(
    details: AccountDetails, owner: str, inline: Sequence[InlinePolicy], attached: Sequence[str]
) -> Iterator[LabelledPolicy]:
    for policy in inline:
        yield LabelledPolicy(f"{owner}: inline policy {policy.name}", policy.document)
    for arn in attached:
        # A managed policy the caller could not read allows nothing: it is left out.
        document = details.policies.get(arn)
        if document is not None:
            yield LabelledPolicy(f"{owner}: managed policy {arn}", document)


def _boundary(details: AccountDetails, arn: str | None) -> tuple[Document, ...] | None:
    if arn is None:
        return None
    document = details.policies.get(arn)
    return (document,) if document is not None else ()  # unread: a boundary allowing nothing
