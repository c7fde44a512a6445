"""What a set of identity policies could allow an action on, whatever their conditions say.

A quick and conservative test before a full evaluation: when no ``Allow`` statement names the
action on a resource, the policies cannot allow it, whatever the request's context. Who asks
many (principal, resource) questions, as ``access verify`` does for every user and role,
skips most of them this way. ``NotResource``, a statement without ``Resource`` and a
resource with a policy variable count as "could allow anything".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from orgtf.iam.conditions import wildcard_match
from orgtf.iam.evaluate import Document, statements


@dataclass(frozen=True)
class AllowScope:
    """The resources the ``Allow`` statements of some policies name for one action."""

    exact: frozenset[str]
    patterns: tuple[str, ...]  # with wildcards
    anything: bool

    def may_allow(self, resource: str) -> bool:
        """False only when no ``Allow`` statement could apply to ``resource``."""
        if self.anything or resource in self.exact:
            return True
        return any(wildcard_match(pattern, resource) for pattern in self.patterns)


def allow_scope(documents: Iterable[Document], action: str) -> AllowScope:
    """The scope of ``documents``' ``Allow`` statements for ``action``."""
    exact: set[str] = set()
    patterns: list[str] = []
    anything = False
    for statement in statements(documents):
        if statement.get("Effect") != "Allow" or not _names_action(statement, action):
            continue
        if "Resource" not in statement:
            anything = True  # NotResource, or no resource at all: do not guess
            continue
        for resource in _strings(statement["Resource"]):
            if "${" in resource:
                anything = True
            elif "*" in resource or "?" in resource:
                patterns.append(resource)
            else:
                exact.add(resource)
    return AllowScope(frozenset(exact), tuple(dict.fromkeys(patterns)), anything)


def _names_action(statement: Mapping[str, Any], action: str) -> bool:
    if "NotAction" in statement:
        excluded = _strings(statement["NotAction"])
        return not any(wildcard_match(p, action, case_sensitive=False) for p in excluded)
    named = _strings(statement.get("Action"))
    return any(wildcard_match(p, action, case_sensitive=False) for p in named)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []
