"""When two IAM policy documents mean the same thing, as the AWS provider judges it.

The provider suppresses a diff between policies that differ only in statement order, key
order, whitespace, a single string versus a one-element list, or "*" versus {"AWS": "*"};
``orgtf import`` uses the same judgement to tell whether the documents orgtf would write are
the ones found in AWS, so that the first plan after an import changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

_SET_KEYS = ("Action", "NotAction", "Resource", "NotResource")
_PRINCIPAL_KEYS = ("Principal", "NotPrincipal")


def documents_equivalent(left: Mapping[str, Any], right: Mapping[str, Any]) -> bool:
    """True when both documents grant the same thing."""
    return _canonical(left) == _canonical(right)


def _canonical(policy: Mapping[str, Any]) -> dict[str, Any]:
    statements = policy.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    canon: dict[str, Any] = {k: v for k, v in policy.items() if k != "Statement"}
    canon["Statement"] = sorted(
        (json.dumps(_statement(s), sort_keys=True) for s in statements if isinstance(s, dict)),
    )
    return canon


def _statement(statement: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in statement.items():
        if key == "Sid" and value == "":
            continue
        if key in _SET_KEYS:
            out[key] = _string_set(value)
        elif key in _PRINCIPAL_KEYS:
            out[key] = _principal(value)
        elif key == "Condition" and isinstance(value, dict):
            out[key] = _condition(value)
        else:
            out[key] = value
    return out


def _principal(value: object) -> object:
    if value == "*":
        return {"AWS": ["*"]}
    if isinstance(value, dict):
        return {k: _string_set(v) for k, v in value.items()}
    return value


def _condition(value: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for operator, tests in value.items():
        if isinstance(tests, dict):
            out[operator] = {k: _string_set(v) for k, v in tests.items()}
        else:
            out[operator] = tests
    return out


def _string_set(value: object) -> list[str]:
    items: Iterable[object] = value if isinstance(value, list) else [value]
    return sorted({_scalar_text(item) for item in items})


def _scalar_text(item: object) -> str:
    if isinstance(item, bool):
        return "true" if item else "false"
    if isinstance(item, str):
        return item
    return json.dumps(item, sort_keys=True)
