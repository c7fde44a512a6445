"""IAM policy JSON: the normal form kept in state and the equivalence used to suppress diffs.

The real provider stores policies as compact JSON with sorted keys and treats two policies as
equal when they grant the same thing (statement order, key order, whitespace, a single string
versus a one-element list, "*" versus {"AWS": "*"}). This module gives our stand-in the same
behaviour without importing anything heavier than ``json``.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterable
from typing import Any

_SET_KEYS = ("Action", "NotAction", "Resource", "NotResource")
_PRINCIPAL_KEYS = ("Principal", "NotPrincipal")


class PolicyError(ValueError):
    """A policy that is not a JSON object."""


def parse_policy(text: str) -> dict[str, Any]:
    """Parse a policy document; raise PolicyError unless it is a JSON object."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PolicyError(f"invalid JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise PolicyError("a policy document must be a JSON object")
    return value


def normalize_json(text: str) -> str:
    """Compact JSON with sorted keys: the form the real provider writes to state."""
    return json.dumps(json.loads(text), sort_keys=True, separators=(",", ":"))


def document_text(document: object) -> str:
    """The emulator's policy document as normalised JSON (boto3 may have decoded it already)."""
    if isinstance(document, str):
        text = document
        if text.startswith("%7B") or text.startswith("%7b"):
            text = urllib.parse.unquote(text)
        return normalize_json(text)
    return json.dumps(document, sort_keys=True, separators=(",", ":"))


def policies_equivalent(left: str, right: str) -> bool:
    """True when both texts are valid policies that mean the same thing."""
    try:
        return _canonical(parse_policy(left)) == _canonical(parse_policy(right))
    except PolicyError:
        return False


def keep_if_equivalent(prior: str | None, fresh: str) -> str:
    """Return ``prior`` when it is equivalent to ``fresh``, so no diff appears; else ``fresh``."""
    if prior is not None and policies_equivalent(prior, fresh):
        return prior
    return fresh


def _canonical(policy: dict[str, Any]) -> dict[str, Any]:
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
