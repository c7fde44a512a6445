"""IAM policy documents inside Terraform values: decoded, and flattened into leaves to compare.

A leaf is one action, resource, principal or condition value with the path that leads to it
(``Statement[AssumeRoles].Resource``). IAM reads a single string and a one-element list alike,
and the order of statements and of values means nothing, so neither changes the leaves.
Statements are named by their Sid; one without a Sid by its effect and actions, and when two
documents are compared, it takes the name of the statement of the other document it shares
most values with, so adding an action to it is one line, not a new statement.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, TypeAlias

_MAX_LABEL_ACTIONS = 3

Statement: TypeAlias = Mapping[str, object]
# A statement's name, and the statement in the document before and after (None: absent).
_Group: TypeAlias = tuple[str, Statement | None, Statement | None]


class PolicyDocument(dict[str, Any]):
    """A policy document decoded from the JSON string Terraform holds."""


def decode_policy(text: str) -> PolicyDocument | None:
    """``text`` as a policy document, or None when it is not one (no ``Statement`` key)."""
    if not text.lstrip().startswith("{"):
        return None
    try:
        document = json.loads(text)
    except ValueError:
        return None
    if isinstance(document, dict) and "Statement" in document:
        return PolicyDocument(document)
    return None


def policy_leaves(
    before: Mapping[str, object] | None, after: Mapping[str, object] | None, prefix: str = ""
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The (path, value) leaves of two documents (either may be None), statements named alike."""
    groups = _groups(_statements(before), _statements(after))
    old = _leaves_of(prefix, before, [(name, b) for name, b, _ in groups if b is not None])
    new = _leaves_of(prefix, after, [(name, a) for name, _, a in groups if a is not None])
    return old, new


def _leaves_of(
    prefix: str, document: Mapping[str, object] | None, named: list[tuple[str, Statement]]
) -> list[tuple[str, str]]:
    if document is None:
        return []
    leaves = [
        leaf
        for key, value in sorted(document.items())
        if key != "Statement"
        for leaf in _values(_join(prefix, key), value)
    ]
    for name, statement in named:
        for key, value in sorted(statement.items()):
            if key != "Sid":  # the Sid names the statement in every path
                leaves += _values(_join(prefix, f"Statement[{name}].{key}"), value)
    return leaves


def _values(path: str, value: object) -> Iterator[tuple[str, str]]:
    """Every list is a set in a policy: its members are leaves at the list's own path."""
    if isinstance(value, dict):
        for key, item in sorted(value.items()):
            yield from _values(_join(path, str(key)), item)
    elif isinstance(value, list):
        for item in value:
            yield from _values(path, item)
    elif value is not None:
        yield path, value if isinstance(value, str) else json.dumps(value)


def _statements(document: Mapping[str, object] | None) -> list[Statement]:
    raw = document.get("Statement") if document is not None else None
    items = [raw] if isinstance(raw, dict) else raw if isinstance(raw, list) else []
    return [item for item in items if isinstance(item, dict)]


def _groups(before: Sequence[Statement], after: Sequence[Statement]) -> list[_Group]:
    """Statements of both documents, paired by Sid, else by the values they share; each group
    named once (``#2`` for a second group of the same name), in an order of their content."""
    groups: list[_Group] = []
    sids = sorted({_sid(s) for s in [*before, *after]} - {""})
    for sid in sids:
        groups += _zip_longest(
            sid, [s for s in before if _sid(s) == sid], [s for s in after if _sid(s) == sid]
        )
    old = [s for s in before if not _sid(s)]
    new = [s for s in after if not _sid(s)]
    for i, j in _best_pairs(old, new):
        groups.append((_label(old[i]), old[i], new[j]))
    paired_old = {id(g[1]) for g in groups}
    paired_new = {id(g[2]) for g in groups}
    groups += [(_label(s), s, None) for s in old if id(s) not in paired_old]
    groups += [(_label(s), None, s) for s in new if id(s) not in paired_new]
    return _numbered(groups)


def _zip_longest(name: str, old: list[Statement], new: list[Statement]) -> list[_Group]:
    return [(name, _at(old, k), _at(new, k)) for k in range(max(len(old), len(new)))]


def _at(statements: list[Statement], index: int) -> Statement | None:
    return statements[index] if index < len(statements) else None


def _best_pairs(old: Sequence[Statement], new: Sequence[Statement]) -> list[tuple[int, int]]:
    """Greedy pairs of statements that share values, the most shared first."""
    shared = sorted(
        ((-_shared(a, b), i, j) for i, a in enumerate(old) for j, b in enumerate(new)),
    )
    pairs: list[tuple[int, int]] = []
    for score, i, j in shared:
        if score < 0 and all(i != p and j != q for p, q in pairs):
            pairs.append((i, j))
    return pairs


def _shared(a: Statement, b: Statement) -> int:
    return sum((Counter(_values("", dict(a))) & Counter(_values("", dict(b)))).values())


def _numbered(groups: list[_Group]) -> list[_Group]:
    seen: Counter[str] = Counter()
    named: list[_Group] = []
    for name, old, new in sorted(groups, key=lambda g: (g[0], _content(g[1]), _content(g[2]))):
        seen[name] += 1
        named.append((name if seen[name] == 1 else f"{name} #{seen[name]}", old, new))
    return named


def _sid(statement: Statement) -> str:
    sid = statement.get("Sid")
    return sid if isinstance(sid, str) else ""


def _label(statement: Statement) -> str:
    negated = "Action" not in statement and "NotAction" in statement
    raw = statement.get("NotAction" if negated else "Action")
    actions = sorted(value for _, value in _values("", raw))
    shown = ",".join(actions[:_MAX_LABEL_ACTIONS])
    if len(actions) > _MAX_LABEL_ACTIONS:
        shown += f",+{len(actions) - _MAX_LABEL_ACTIONS}"
    effect = str(statement.get("Effect", ""))
    return " ".join(part for part in (effect, "not" if negated else "", shown) if part) or "?"


def _content(statement: Statement | None) -> str:
    return json.dumps(sorted(_values("", dict(statement or {}))))


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
