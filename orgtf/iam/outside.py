"""Whom a role's trust policy admits beyond one account: other accounts, their users and
roles, or anyone (``*``, and ``NotPrincipal``).

Only AWS principals count: AWS services and identity providers (``Service``, ``Federated``)
are not principals of another account. Conditions other than MFA's are taken as met, because
the outsider controls them (its ``sts:ExternalId``, its organization, its source address):
they bound nothing that can be checked from here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from orgtf.iam.conditions import ContextValue
from orgtf.iam.evaluate import Decision, Document, Principal, Request, evaluate, statements
from orgtf.iam.reach import ACTION, statement_label

_MFA_KEYS = frozenset({"aws:multifactorauthpresent", "aws:multifactorauthage"})


@dataclass(frozen=True)
class OutsidePrincipal:
    """A principal outside the trusted account that a trust policy admits, and how."""

    principal: str  # an account's root ARN, a user's or role's ARN, or "*"
    mfa_required: bool
    via: tuple[str, ...]


def outside_principals(
    trust: Document | None, role_arn: str, account: str
) -> tuple[OutsidePrincipal, ...]:
    """Whom ``trust`` (the policy of ``role_arn``) admits other than ``account``'s principals,
    sorted; conditions other than MFA's taken as met."""
    found: dict[str, OutsidePrincipal] = {}
    view = {"Statement": [_outsider_view(s) for s in statements([trust] if trust else [])]}
    label = f"trust policy of role {role_arn.rpartition('/')[2]}"
    for index, statement in enumerate(statements([trust] if trust else [])):
        for name in _named_principals(statement):
            target = _outsider(name)
            if target.account == account or name in found:
                continue
            outcome = _outside_outcome(view, role_arn, target)
            if outcome is not None:
                via = (statement_label(label, statement, index),)
                found[name] = OutsidePrincipal(name, outcome, via)
    return tuple(found[name] for name in sorted(found))


@dataclass(frozen=True)
class _Outsider:
    account: str
    principal: Principal
    kind: str


def _named_principals(statement: Mapping[str, Any]) -> Iterator[str]:
    """The AWS principals an Allow statement names; ``*`` for NotPrincipal (all but some)."""
    if statement.get("Effect") != "Allow":
        return
    if "NotPrincipal" in statement:
        yield "*"
        return
    element = statement.get("Principal")
    if element == "*":
        yield "*"
    elif isinstance(element, Mapping):
        values = element.get("AWS", [])
        for value in [values] if isinstance(values, str) else values:
            if isinstance(value, str):
                yield f"arn:aws:iam::{value}:root" if value.isdigit() else value


def _outsider(name: str) -> _Outsider:
    """A stand-in caller for a named principal: ``*`` is someone of an unknown account."""
    if name == "*":
        return _Outsider("*", Principal("000000000000", ()), "User")
    account = name.split(":")[4] if name.count(":") >= 5 else ""
    resource = name.split(":", 5)[-1]
    kind = "Account" if resource == "root" else "User" if resource.startswith("user/") else ""
    return _Outsider(account, Principal(account, (name,)), kind or "AssumedRole")


def _outsider_view(statement: Mapping[str, Any]) -> Mapping[str, Any]:
    """An Allow statement with only its MFA conditions: the ones an outsider cannot meet."""
    condition = statement.get("Condition")
    if statement.get("Effect") != "Allow" or not isinstance(condition, Mapping):
        return statement
    kept = {
        operator: {key: value for key, value in tests.items() if key.lower() in _MFA_KEYS}
        for operator, tests in condition.items()
        if isinstance(tests, Mapping)
    }
    return {**statement, "Condition": {op: tests for op, tests in kept.items() if tests}}


def _outside_outcome(trust: Document, role_arn: str, target: _Outsider) -> bool | None:
    """Whether the trust admits ``target`` only with MFA; None when it does not admit it."""
    base: dict[str, ContextValue] = {"aws:PrincipalAccount": target.principal.account}
    base["aws:PrincipalType"] = target.kind
    if target.principal.arns:
        base["aws:PrincipalArn"] = target.principal.arns[0]
    mfa: dict[str, ContextValue] = {"aws:MultiFactorAuthPresent": "true"}
    mfa["aws:MultiFactorAuthAge"] = "0"
    for context, needs_mfa in ((base, False), ({**base, **mfa}, True)):
        request = Request(ACTION, role_arn, target.principal, context)
        if evaluate([trust], request) is Decision.ALLOW:
            return needs_mfa
    return None
