"""Characters IAM refuses in the free text org.yaml sends it: descriptions and policy documents.

Names and paths are held to IAM's patterns by the schema (``model``) and tags by ``tags``.
Each pattern below is the one IAM's API documents for the field named beside it (as in
botocore's iam service model); a value it refuses would fail mid-apply, or worse.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from orgtf.config.findings import Finding, PathKey
from orgtf.config.model import OrgConfig
from orgtf.config.tags import describe

# CreateRole's Description (roleDescriptionType): [\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*
ROLE_DESCRIPTION_REFUSES = re.compile(r"[^\t\n\r\x20-\x7e\xa1-\xff]")
# CreatePolicy's Description (policyDescriptionType) documents no pattern, but IAM answers in
# XML 1.0, which cannot carry these characters (its Char production), nor can UTF-8 carry
# lone surrogates: a policy created with one could not be read back.
POLICY_DESCRIPTION_REFUSES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# PolicyDocument of CreatePolicy and PutRolePolicy (policyDocumentType):
# [\u0009\u000A\u000D\u0020-\u00FF]+. The JSON escapes control characters, but neither orgtf
# nor the provider escapes others, so a character beyond U+00FF reaches IAM as itself.
POLICY_DOCUMENT_REFUSES = re.compile(r"[^\x00-\xff]")


def check_characters(config: OrgConfig) -> Iterator[Finding]:
    """Descriptions and policy documents with characters IAM's API refuses."""
    for name, role in config.roles.items():
        found = ROLE_DESCRIPTION_REFUSES.search(role.description)
        if found:
            yield Finding(
                ("roles", name, "description"),
                f"description of role {name!r} {_has(found)}, which IAM refuses in role "
                "descriptions (tab, line breaks and printable Latin-1: U+0020-U+007E, "
                "U+00A1-U+00FF)",
            )
        if role.inline_policy is not None:
            yield from _document(("roles", name, "inline_policy"), role.inline_policy)
    for name, policy in config.policies.items():
        found = POLICY_DESCRIPTION_REFUSES.search(policy.description)
        if found:
            yield Finding(
                ("policies", name, "description"),
                f"description of policy {name!r} {_has(found)}, a control character IAM "
                "cannot keep in a policy description",
            )
        yield from _document(("policies", name, "document"), policy.document)


def _document(base: PathKey, document: Mapping[str, Any]) -> Iterator[Finding]:
    for path, text, at_key in _strings(document, base):
        found = POLICY_DOCUMENT_REFUSES.search(text)
        if found:
            yield Finding(
                path,
                f"{_short(text)} {_has(found)}; IAM accepts only Latin-1 characters (up to "
                "U+00FF) in policy documents",
                at_key,
            )


def _strings(value: Any, path: PathKey) -> Iterator[tuple[PathKey, str, bool]]:
    """Every string of a document, key or value, with its path and whether it is a key."""
    if isinstance(value, str):
        yield path, value, False
    elif isinstance(value, Mapping):
        for key, child in value.items():
            yield (*path, key), str(key), True
            yield from _strings(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _strings(child, (*path, index))


def _has(found: re.Match[str]) -> str:
    return f"has {describe(found.group())} at character {found.start() + 1}"


def _short(text: str) -> str:
    return repr(text) if len(text) <= 40 else repr(text[:37] + "...")
