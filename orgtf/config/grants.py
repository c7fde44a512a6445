"""What a group's grant policy grants, and the checks of a grant kept as found (grant_policy).

A grant is a policy that only allows ``sts:AssumeRole`` on role ARNs, some of them only with
MFA. ``granted_roles`` reads such a document back into role ARNs; ``orgtf import`` uses it to
recognise a hand-made grant, and validate to check that a kept ``grant_policy`` still grants
exactly the group's ``roles``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from orgtf.config.findings import Finding, PathKey, Raw
from orgtf.config.model import GrantPolicy
from orgtf.config.policy import (
    GROUP_INLINE_SIZE,
    MANAGED_POLICY_SIZE,
    RoleGrant,
    check_document,
    policy_size,
)

ROLE_ARN = re.compile(r"^arn:aws(-[a-z]+)*:iam::[0-9]{12}:role/[\x21-\x7e]+$")
_MFA_KEYS = {"aws:multifactorauthpresent"}
_MFA_AGE_KEYS = {"aws:multifactorauthage"}


def granted_roles(document: Mapping[str, Any]) -> dict[str, bool] | None:
    """Role ARN -> whether MFA is needed, when ``document`` only grants sts:AssumeRole.

    None when it allows or denies anything else, or tests conditions other than MFA. A role
    granted both with and without MFA needs none.
    """
    statements = document.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list) or not statements:
        return None
    granted: dict[str, bool] = {}
    for statement in statements:
        read = _statement(statement)
        if read is None:
            return None
        arns, mfa = read
        for arn in arns:
            granted[arn] = granted.get(arn, True) and mfa
    return granted


def _statement(statement: Any) -> tuple[list[str], bool] | None:
    if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
        return None
    if set(statement) - {"Sid", "Effect", "Action", "Resource", "Condition"}:
        return None
    if [a.lower() for a in _strings(statement.get("Action"))] != ["sts:assumerole"]:
        return None
    arns = _strings(statement.get("Resource"))
    if not arns or not all(ROLE_ARN.match(arn) for arn in arns):
        return None
    condition = statement.get("Condition")
    if condition is None:
        return arns, False
    return (arns, True) if _is_mfa_condition(condition) else None


def _is_mfa_condition(condition: Any) -> bool:
    """Only ``Bool aws:MultiFactorAuthPresent true``, with an optional maximum age."""
    if not isinstance(condition, dict):
        return False
    present = condition.get("Bool")
    if not isinstance(present, dict) or {k.lower() for k in present} != _MFA_KEYS:
        return False
    if [str(v).lower() for v in _strings(next(iter(present.values())), scalars=True)] != ["true"]:
        return False
    for operator, tests in condition.items():
        if operator == "Bool":
            continue
        if operator != "NumericLessThan" or not isinstance(tests, dict):
            return False
        if {k.lower() for k in tests} != _MFA_AGE_KEYS:
            return False
    return True


def _strings(value: Any, *, scalars: bool = False) -> list[str]:
    items = value if isinstance(value, list) else [value]
    kinds: tuple[type, ...] = (str, bool) if scalars else (str,)
    if not all(isinstance(item, kinds) for item in items):
        return []
    return [str(item).lower() if isinstance(item, bool) else item for item in items]


def check_grant_policy(
    base: PathKey, group: str, policy: GrantPolicy, grants: Sequence[RoleGrant]
) -> Iterator[Raw]:
    """A kept grant policy must be a valid document of its size that grants exactly ``grants``."""
    where: PathKey = (*base, "grant_policy")
    for issue in check_document(policy.document):
        yield Finding((*where, "document", *issue.path), issue.message, issue.at_key)
    limit = GROUP_INLINE_SIZE if policy.kind == "inline" else MANAGED_POLICY_SIZE
    size = policy_size(policy.document)
    if size > limit:
        yield (
            where,
            f"grant_policy of group {group!r} has {size:,} characters; IAM allows {limit:,}",
        )
    granted = granted_roles(policy.document)
    if granted is None:
        yield (
            (*where, "document"),
            f"grant_policy of group {group!r} allows more than sts:AssumeRole on roles; "
            "manage other permissions with policies of their own",
        )
        return
    yield from _same_grants(where, group, granted, {g.arn: g.require_mfa for g in grants})


def _same_grants(
    where: PathKey, group: str, granted: Mapping[str, bool], expected: Mapping[str, bool]
) -> Iterator[Raw]:
    problems = [f"it does not grant {arn}" for arn in sorted(expected.keys() - granted.keys())]
    problems += [f"it grants {arn}, not in roles" for arn in sorted(granted.keys() - expected)]
    # A grant without MFA of a role whose trust requires MFA still needs MFA: the role's
    # trust policy decides. A grant asking MFA of a role that needs none is stricter than
    # org.yaml says, so it is refused.
    problems += [
        f"it grants {arn} only with MFA, which the role does not require"
        for arn in sorted(expected.keys() & granted.keys())
        if granted[arn] and not expected[arn]
    ]
    if problems:
        yield (
            where,
            f"grant_policy of group {group!r} no longer matches its roles: "
            + "; ".join(problems)
            + ". Remove grant_policy to let orgtf write the grant itself",
        )
