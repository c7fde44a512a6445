"""Roles found in AWS, expressed as org.yaml roles when orgtf would write them the same way.

A role is expressible when its trust policy is one orgtf writes (the master account, maybe
narrowed to its IAM users, maybe MFA, maybe extra principals of the master account), it has
at most the one inline policy orgtf writes (``orgtf-inline``), and, where the same name is in
several accounts, it is the same role in each. Anything else is left unmanaged, with the
reason, so that the first plan after an import changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from orgtf.adoption.found import Unmanaged
from orgtf.config.policy import trust_policy
from orgtf.iam.details import AccountDetails, IamRole
from orgtf.iam.equivalence import documents_equivalent
from orgtf.live.inventory import RoleFacts

AWS_MANAGED = re.compile(r"^arn:aws(-[a-z]+)*:iam::aws:policy/")
INLINE_NAME = "orgtf-inline"
MFA_AGE = range(60, 129601)


@dataclass(frozen=True)
class FoundRole:
    """One role in one account, as org.yaml would hold it (``data``), with its policies."""

    account: str  # org.yaml account name
    name: str
    data: Mapping[str, Any]
    policies: Mapping[str, Mapping[str, Any]]  # customer managed policies it uses, by name


def express_role(
    account: str, details: AccountDetails, role: IamRole, facts: RoleFacts, master_id: str
) -> FoundRole | Unmanaged:
    """The org.yaml form of ``role``, or why it has none."""

    def unmanaged(reason: str) -> Unmanaged:
        return Unmanaged(account, "role", role.name, reason)

    trust = _trust(role, master_id)
    if isinstance(trust, str):
        return unmanaged(trust)
    if len(facts.description) > 1000:
        return unmanaged("its description is longer than org.yaml allows (1,000 characters)")
    data: dict[str, Any] = {}
    if facts.description:
        data["description"] = facts.description
    policies, problem = _policies(details, role)
    if problem:
        return unmanaged(problem)
    aws_managed = sorted(arn for arn in role.attached if AWS_MANAGED.match(arn))
    if aws_managed:
        data["managed_policy_arns"] = aws_managed
    if policies:
        data["policies"] = sorted(policies)
    if role.inline:
        if len(role.inline) > 1 or role.inline[0].name != INLINE_NAME:
            names = ", ".join(p.name for p in role.inline)
            return unmanaged(
                f"its inline policies ({names}): orgtf writes one, named {INLINE_NAME}"
            )
        data["inline_policy"] = dict(role.inline[0].document)
    data.update(trust)
    if facts.max_session_duration != 3600:
        data["max_session_duration"] = facts.max_session_duration
    if role.path != "/":
        data["path"] = role.path
    if role.boundary:
        data["permissions_boundary"] = role.boundary
    if role.tags:
        data["tags"] = dict(role.tags)
    return FoundRole(account, role.name, data, policies)


def _policies(
    details: AccountDetails, role: IamRole
) -> tuple[dict[str, dict[str, Any]], str | None]:
    found: dict[str, dict[str, Any]] = {}
    for arn in role.attached:
        if AWS_MANAGED.match(arn):
            continue
        info, document = details.policy_info.get(arn), details.policies.get(arn)
        if info is None or document is None:
            return {}, f"it uses the policy {arn}, which is not in its account"
        policy: dict[str, Any] = {"document": dict(document)}
        if info.description:
            policy["description"] = info.description
        if info.path != "/":
            policy["path"] = info.path
        found[info.name] = policy
    return found, None


def _trust(role: IamRole, master_id: str) -> dict[str, Any] | str:
    """The org.yaml trust settings whose document is equivalent to the role's, or why none."""
    document = role.trust
    if document is None:
        return "its trust policy cannot be read"
    principals = sorted(set(_principals(document)))
    root = f"arn:aws:iam::{master_id}:root"
    others = [p for p in principals if p not in (root, master_id)]
    outside = [p for p in others if f":{master_id}:" not in p]
    if outside:
        return f"it trusts {', '.join(outside)}, outside the master account"
    text = str(document)
    require_mfa = "MultiFactorAuthPresent" in text
    age = _mfa_age(document)
    if age is not None and age not in MFA_AGE:
        return f"its MFA age limit of {age} s is outside what org.yaml allows (60..129600)"
    narrowed = "aws:PrincipalType" in text
    candidate = trust_policy(
        master_id,
        require_mfa,
        age,
        principals="iam_users" if narrowed else "any",
        extra_principals=others,
    )
    if not documents_equivalent(_with_root(document, master_id), candidate):
        return "its trust policy has statements or conditions orgtf does not write"
    settings: dict[str, Any] = {}
    if require_mfa:
        settings["require_mfa"] = True
        settings["mfa_max_age"] = age
    if narrowed or others:
        trust: dict[str, Any] = {"principals": "iam_users" if narrowed else "any"}
        if others:
            trust["extra_principals"] = others
        settings["trust"] = trust
    return settings


def _principals(document: Mapping[str, Any]) -> Iterator[str]:
    for statement in _statements(document):
        principal = statement.get("Principal")
        values = principal.get("AWS", []) if isinstance(principal, dict) else [principal]
        yield from ([values] if isinstance(values, str) else [str(v) for v in values])


def _statements(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    statements = document.get("Statement", [])
    statements = [statements] if isinstance(statements, dict) else statements
    return [s for s in statements if isinstance(s, dict)]


def _mfa_age(document: Mapping[str, Any]) -> int | None:
    for statement in _statements(document):
        tests = (statement.get("Condition") or {}).get("NumericLessThan") or {}
        for key, value in tests.items():
            if key.lower() == "aws:multifactorauthage":
                try:
                    return int(value[0] if isinstance(value, list) else value)
                except (TypeError, ValueError):
                    return -1
    return None


def _with_root(document: Mapping[str, Any], master_id: str) -> dict[str, Any]:
    """IAM turns a bare account id principal into the account's root ARN: compare so."""
    root = f"arn:aws:iam::{master_id}:root"
    statements = []
    for statement in _statements(document):
        principal = statement.get("Principal")
        if isinstance(principal, dict) and "AWS" in principal:
            values = principal["AWS"] if isinstance(principal["AWS"], list) else [principal["AWS"]]
            principal = {**principal, "AWS": [root if v == master_id else v for v in values]}
            statement = {**statement, "Principal": principal}
        statements.append(statement)
    return {**document, "Statement": statements}
