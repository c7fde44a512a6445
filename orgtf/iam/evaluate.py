"""IAM policy evaluation as AWS documents it: pure functions on policy documents and a request.

It imports nothing of orgtf's, so anything may use it as a plain library (the sandbox's
emulator does, to decide ``sts:AssumeRole``). What it follows, from AWS's "Policy evaluation
logic" and the IAM JSON policy reference:

- within one set of policies an explicit ``Deny`` wins over any ``Allow``; no ``Allow`` at all
  is an implicit deny;
- ``Action``/``NotAction`` match case-insensitively, ``Resource``/``NotResource``
  case-sensitively, both with ``*`` and ``?``; policy variables such as ``${aws:username}``
  are replaced from the request context, and an unknown one matches nothing;
- ``Principal``/``NotPrincipal``: ``*``, an account (``123456789012`` or its ``:root`` ARN),
  or the caller's own ARN (a user's ARN; for a role session, the role's or the session's);
- conditions: every operator in a block must hold, every key of an operator, any one value of
  a key (see ``orgtf.iam.conditions``);
- for a role, the trust policy must allow the caller; the caller's identity policies must
  allow it too, unless caller and role share an account and the trust policy names the
  caller itself (not its account); a permissions boundary, when set, must allow it as well.

Not modelled: SCPs, session policies, and resource policies other than a role's trust.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Literal

from orgtf.iam.conditions import (
    ContextValue,
    conditions_hold,
    substitute,
    wildcard_match,
)

Document = Mapping[str, Any]
Reason = Literal["allowed", "explicit_deny", "no_trust_allow", "no_identity_allow", "boundary"]
_ROOT = re.compile(r"^arn:aws[a-z-]*:iam::([0-9]{12}):root$")


class Decision(Enum):
    """What one set of policies says about a request."""

    ALLOW = "allow"
    DENY = "deny"  # an explicit Deny
    NONE = "none"  # nothing applies: an implicit deny


@dataclass(frozen=True)
class Principal:
    """The caller as a resource policy's ``Principal`` names it.

    ``arns``: the ARNs that name this caller itself. For an IAM user its ARN; for a role
    session the role's ARN and the session's (``arn:aws:sts::…:assumed-role/ROLE/SESSION``).
    """

    account: str
    arns: tuple[str, ...]


@dataclass(frozen=True)
class Request:
    """One API call to decide: who, what, on which resource, with which context keys.

    ``context`` maps condition keys (matched case-insensitively) to a string or a list of
    strings; a key that is absent from it is absent from the request.
    """

    action: str
    resource: str
    principal: Principal
    context: Mapping[str, ContextValue] = field(default_factory=dict)


@dataclass(frozen=True)
class Verdict:
    """The answer for a request, and why."""

    allowed: bool
    reason: Reason


def evaluate(documents: Iterable[Document], request: Request) -> Decision:
    """What ``documents`` (one kind: identity policies, a boundary, a trust policy) decide."""
    allowed = False
    for statement in statements(documents):
        if _applies(statement, request) is None:
            continue
        if statement.get("Effect") == "Deny":
            return Decision.DENY
        allowed = allowed or statement.get("Effect") == "Allow"
    return Decision.ALLOW if allowed else Decision.NONE


def authorize_assume_role(
    request: Request,
    identity: Sequence[Document],
    trust: Document | None,
    boundary: Sequence[Document] | None = None,
) -> Verdict:
    """Whether AWS lets ``request.principal`` assume the role ``request.resource``.

    ``identity``: the caller's identity policies; ``trust``: the role's trust policy (None when
    the role does not exist); ``boundary``: the caller's permissions boundary, None if unset.
    """
    trusted = [trust] if trust is not None else []
    decisions = [evaluate(identity, request), evaluate(trusted, request)]
    if boundary is not None:
        decisions.append(evaluate(boundary, request))
    if Decision.DENY in decisions:
        return Verdict(False, "explicit_deny")
    if decisions[1] is not Decision.ALLOW:
        return Verdict(False, "no_trust_allow")
    if _same_account(request) and names_caller(trusted, request):
        return Verdict(True, "allowed")  # no identity policy needed, nor a boundary's allow
    if decisions[0] is not Decision.ALLOW:
        return Verdict(False, "no_identity_allow")
    if boundary is not None and decisions[2] is not Decision.ALLOW:
        return Verdict(False, "boundary")
    return Verdict(True, "allowed")


def names_caller(documents: Iterable[Document], request: Request) -> bool:
    """Whether an applying Allow names the caller itself, not its account or ``*``."""
    return any(
        statement.get("Effect") == "Allow" and _applies(statement, request) == "caller"
        for statement in statements(documents)
    )


def statements(documents: Iterable[Document]) -> Iterator[Mapping[str, Any]]:
    """Every statement of ``documents``; ``Statement`` may be one mapping or a list."""
    for document in documents:
        found = document.get("Statement", [])
        for statement in [found] if isinstance(found, Mapping) else found:
            if isinstance(statement, Mapping):
                yield statement


# How a statement's Principal element matched: the caller itself, or more broadly.
_Match = Literal["caller", "broad"]


def _applies(statement: Mapping[str, Any], request: Request) -> _Match | None:
    """How the statement applies to ``request`` (None: it does not)."""
    if not _action_matches(statement, request.action):
        return None
    if not _resource_matches(statement, request):
        return None
    match = _principal_matches(statement, request.principal)
    if match is None:
        return None
    deny = statement.get("Effect") == "Deny"
    condition = statement.get("Condition") or {}
    return match if conditions_hold(condition, request.context, unknown=deny) else None


def _action_matches(statement: Mapping[str, Any], action: str) -> bool:
    if "NotAction" in statement:
        return not any(
            wildcard_match(p, action, case_sensitive=False) for p in _listed(statement["NotAction"])
        )
    return any(
        wildcard_match(p, action, case_sensitive=False) for p in _listed(statement.get("Action"))
    )


def _resource_matches(statement: Mapping[str, Any], request: Request) -> bool:
    key = "NotResource" if "NotResource" in statement else "Resource"
    if key not in statement:
        return True  # trust policies name no resource: the role they belong to
    hit = any(
        (pattern := substitute(p, request.context)) is not None
        and wildcard_match(pattern, request.resource)
        for p in _listed(statement[key])
    )
    return hit != (key == "NotResource")


def _principal_matches(statement: Mapping[str, Any], principal: Principal) -> _Match | None:
    if "NotPrincipal" in statement:
        return None if _named(statement["NotPrincipal"], principal) else "broad"
    if "Principal" not in statement:
        return "broad"  # identity policies: the principal is whoever holds them
    return _named(statement["Principal"], principal)


def _named(element: Any, principal: Principal) -> _Match | None:
    if element == "*":
        return "broad"
    if not isinstance(element, Mapping):
        return None
    found: _Match | None = None
    for value in _listed(element.get("AWS")):
        if value in principal.arns:
            return "caller"
        root = _ROOT.fullmatch(value)
        if value == "*" or value == principal.account or (root and root[1] == principal.account):
            found = "broad"
    return found


def _same_account(request: Request) -> bool:
    parts = request.resource.split(":")
    return len(parts) > 4 and parts[4] == request.principal.account


def _listed(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []
