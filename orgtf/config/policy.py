"""IAM policy documents: structural checks, size as IAM counts it, and generated documents.

The trust and grant documents built here have the same shape as the ones the Terraform
modules build, so the limits checked before any Terraform run are the ones AWS enforces.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from orgtf.config.model import TrustPrincipals

VERSIONS = ("2012-10-17", "2008-10-17")
STATEMENT_KEYS = (
    "Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition",
)  # fmt: skip
SID = re.compile(r"[A-Za-z0-9]*")
ACTION = re.compile(r"^(\*|[a-zA-Z0-9-]+:[a-zA-Z0-9*?]+)$")
MANAGED_POLICY_SIZE = 6144
GROUP_INLINE_SIZE = 5120
ROLE_INLINE_SIZE = 10240
MFA_PRESENT = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
ASCII_WHITESPACE = re.compile(r"\s", re.ASCII)

PathKey = tuple[str | int, ...]


def document_json(document: Mapping[str, Any]) -> str:
    """A policy document as the compact JSON string the provider receives."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def policy_size(document: Mapping[str, Any]) -> int:
    """Characters IAM counts against size quotas: the JSON as sent, without whitespace.

    Characters, not escapes: the document reaches IAM with ``é`` as one character (neither
    orgtf nor the provider writes ``\\u00e9``), and IAM counts it once. Only ASCII
    whitespace is left out; other spaces, such as U+00A0, count.
    """
    text = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
    return len(ASCII_WHITESPACE.sub("", text))


@dataclass(frozen=True)
class DocumentIssue:
    """A structural problem at ``path`` inside a policy document."""

    path: PathKey
    message: str
    at_key: bool = False


def check_document(document: Mapping[str, Any]) -> Iterator[DocumentIssue]:
    """Structural problems of an identity-based policy document."""
    for key in document:
        if key not in ("Version", "Statement", "Id"):
            yield DocumentIssue((key,), f"unknown policy document key {key!r}", at_key=True)
    if document.get("Version") not in VERSIONS:
        yield DocumentIssue(("Version",), f"Version must be one of {', '.join(VERSIONS)}")
    statements = document.get("Statement")
    if isinstance(statements, Mapping):
        statements = [statements]
    if not isinstance(statements, list) or not statements:
        yield DocumentIssue(("Statement",), "Statement must be a non-empty list of statements")
        return
    for index, statement in enumerate(statements):
        path: PathKey = (
            ("Statement", index) if isinstance(document["Statement"], list) else ("Statement",)
        )
        yield from _check_statement(statement, path)


def _check_statement(statement: Any, path: PathKey) -> Iterator[DocumentIssue]:
    if not isinstance(statement, Mapping):
        yield DocumentIssue(path, "a statement must be a mapping")
        return
    for key in statement:
        if key not in STATEMENT_KEYS:
            hint = " (identity policies have no principal)" if "Principal" in key else ""
            yield DocumentIssue((*path, key), f"unknown statement key {key!r}{hint}", at_key=True)
    if statement.get("Effect") not in ("Allow", "Deny"):
        yield DocumentIssue((*path, "Effect"), "Effect must be Allow or Deny")
    yield from _exactly_one(statement, path, "Action", "NotAction")
    yield from _exactly_one(statement, path, "Resource", "NotResource")
    for key in ("Action", "NotAction"):
        for index, action in _strings(statement.get(key)):
            if not ACTION.fullmatch(action):
                where = (*path, key) if index is None else (*path, key, index)
                yield DocumentIssue(where, f"{action!r} is not an action (service:Action or *)")
    yield from _check_condition(statement.get("Condition"), (*path, "Condition"))
    sid = statement.get("Sid")
    if sid is not None and not (isinstance(sid, str) and SID.fullmatch(sid)):
        yield DocumentIssue((*path, "Sid"), "Sid may hold only letters and digits")


def _check_condition(condition: Any, path: PathKey) -> Iterator[DocumentIssue]:
    if condition is None:
        return
    if not isinstance(condition, Mapping):
        yield DocumentIssue(path, "Condition must be a mapping of operators")
        return
    for operator, tests in condition.items():
        if not isinstance(tests, Mapping) or not tests:
            yield DocumentIssue(
                (*path, operator),
                f"condition operator {operator!r} needs a mapping of keys to values",
            )


def _exactly_one(
    statement: Mapping[str, Any], path: PathKey, a: str, b: str
) -> Iterator[DocumentIssue]:
    present = [k for k in (a, b) if k in statement]
    if len(present) != 1:
        yield DocumentIssue(path, f"a statement needs exactly one of {a} or {b}")
        return
    value = statement[present[0]]
    if isinstance(value, str) and value:
        return
    if isinstance(value, list) and value and all(isinstance(v, str) and v for v in value):
        return
    yield DocumentIssue((*path, present[0]), f"{present[0]} must be a string or list of strings")


def _strings(value: Any) -> Iterator[tuple[int | None, str]]:
    if isinstance(value, str):
        yield None, value
    elif isinstance(value, list):
        yield from ((i, v) for i, v in enumerate(value) if isinstance(v, str))


def trust_policy(
    master_id: str,
    require_mfa: bool,
    mfa_max_age: int | None,
    *,
    principals: TrustPrincipals = "any",
    extra_principals: Sequence[str] = (),
) -> dict[str, Any]:
    """The trust policy of an orgtf role: the master account may assume it.

    ``mfa_max_age`` None tests only that MFA is present, not its age.
    With ``principals="iam_users"`` only the master account's IAM users may (not its roles,
    federated users or root); ``extra_principals`` may too. MFA conditions apply to everyone.
    """
    mfa: dict[str, Any] = {}
    if require_mfa:
        mfa = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
        if mfa_max_age is not None:
            mfa["NumericLessThan"] = {"aws:MultiFactorAuthAge": str(mfa_max_age)}
    root = f"arn:aws:iam::{master_id}:root"
    if principals == "iam_users":
        users = {
            "StringEquals": {"aws:PrincipalType": "User"},
            "ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{master_id}:user/*"},
        }
        statements = [{"Sid": "MasterAccountUsers", **_trust_statement(root, {**mfa, **users})}]
    else:
        statements = [_trust_statement(root, mfa)]
    if extra_principals:
        extra = _trust_statement(sorted(set(extra_principals)), mfa)
        statements.append({"Sid": "ExtraPrincipals", **extra})
    return {"Version": "2012-10-17", "Statement": statements}


def _trust_statement(principal: str | list[str], condition: dict[str, Any]) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"AWS": principal},
        "Action": "sts:AssumeRole",
    }
    if condition:
        statement["Condition"] = condition
    return statement


@dataclass(frozen=True)
class RoleGrant:
    """One role ARN a group may assume, and whether assuming it needs MFA."""

    arn: str
    require_mfa: bool


def grant_document(grants: Sequence[RoleGrant]) -> dict[str, Any]:
    """A policy allowing sts:AssumeRole on exactly these ARNs; MFA ones need MFA."""
    statements: list[dict[str, Any]] = []
    plain = sorted(g.arn for g in grants if not g.require_mfa)
    mfa = sorted(g.arn for g in grants if g.require_mfa)
    if plain:
        statements.append(_assume("AssumeRoles", plain))
    if mfa:
        statements.append({**_assume("AssumeRolesWithMFA", mfa), "Condition": MFA_PRESENT})
    return {"Version": "2012-10-17", "Statement": statements}


def _assume(sid: str, arns: list[str]) -> dict[str, Any]:
    return {"Sid": sid, "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": arns}


@dataclass(frozen=True)
class GroupGrantPlan:
    """How a group's grants are laid out: one inline policy, or managed policy chunks."""

    inline: tuple[RoleGrant, ...]
    chunks: tuple[tuple[RoleGrant, ...], ...]

    @property
    def documents(self) -> list[dict[str, Any]]:
        """The documents in order: the inline one, else one per managed chunk."""
        if self.inline:
            return [grant_document(self.inline)]
        return [grant_document(chunk) for chunk in self.chunks]


def plan_group_grants(grants: Sequence[RoleGrant]) -> GroupGrantPlan:
    """Inline when the grant fits 5,120 characters; else split into managed policies.

    The split is greedy in ARN order, so the same grants always give the same chunks.
    """
    ordered = tuple(sorted(set(grants), key=lambda g: (g.arn, g.require_mfa)))
    if not ordered or policy_size(grant_document(ordered)) <= GROUP_INLINE_SIZE:
        return GroupGrantPlan(inline=ordered, chunks=())
    chunks: list[tuple[RoleGrant, ...]] = []
    current: list[RoleGrant] = []
    for grant in ordered:
        if current and _chunk_size([*current, grant]) > MANAGED_POLICY_SIZE:
            chunks.append(tuple(current))
            current = []
        current.append(grant)
    chunks.append(tuple(current))
    return GroupGrantPlan(inline=(), chunks=tuple(chunks))


def _chunk_size(grants: Sequence[RoleGrant]) -> int:
    # Both statements' overhead plus each quoted ARN and its comma; ARNs hold no whitespace.
    overhead = policy_size(grant_document([RoleGrant("", False), RoleGrant("", True)])) - 4
    return overhead + sum(len(g.arn) + 3 for g in grants) - 2
