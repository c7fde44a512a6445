"""IAM policy JSON: the normal form kept in state and the equivalence used to suppress diffs.

The real provider stores policies as compact JSON with sorted keys and treats two policies as
equal when they grant the same thing (statement order, key order, whitespace, a single string
versus a one-element list, "*" versus {"AWS": "*"}). This module gives our stand-in the same
behaviour without importing anything heavier than ``json``.
"""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

from orgtf.iam.equivalence import documents_equivalent


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
        return documents_equivalent(parse_policy(left), parse_policy(right))
    except PolicyError:
        return False


def keep_if_equivalent(prior: str | None, fresh: str) -> str:
    """Return ``prior`` when it is equivalent to ``fresh``, so no diff appears; else ``fresh``."""
    if prior is not None and policies_equivalent(prior, fresh):
        return prior
    return fresh
