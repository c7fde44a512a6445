"""Cross-references of a file the schema refused, read from its raw data.

``checks.check_all`` needs a field-valid config; until the schema's problems are fixed, this
finds the names used but not defined (accounts, policies, roles, groups) among the values
that have the right shape, so that one run reports them with the schema's problems. Its
messages are check_all's, word for word (tests/config/test_references.py holds them equal).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from orgtf.config.checks import Unknown
from orgtf.config.findings import Finding, PathKey
from orgtf.config.model import ROLE_REF, RoleRef

Names = Mapping[str, Any]


def check_references(data: Mapping[str, Any]) -> Iterator[Finding]:
    """Every name used but not defined, where the sections involved are mappings."""
    unknown = Unknown()
    accounts, policies, roles, groups, users = (
        _section(data, s) for s in ("accounts", "policies", "roles", "groups", "users")
    )
    organization = _section(data, "organization") or {}
    master = organization.get("master_account")
    if accounts is not None and isinstance(master, str) and master not in accounts:
        where: PathKey = ("organization", "master_account")
        yield Finding(where, unknown("account", master, accounts))
    for name, role in (roles or {}).items():
        base: PathKey = ("roles", name)
        yield from _names(
            (*base, "accounts"), _field(role, "accounts"), "account", accounts, unknown
        )
        yield from _names(
            (*base, "policies"), _field(role, "policies"), "policy", policies, unknown
        )
    for name, group in (groups or {}).items():
        for index, text in _strings(_field(group, "roles")):
            if re.fullmatch(ROLE_REF, text) and accounts is not None and roles is not None:
                problem = _role_ref(RoleRef.parse(text), accounts, roles, unknown)
                if problem:
                    yield Finding(("groups", name, "roles", index), problem)
    for name, user in (users or {}).items():
        yield from _names(
            ("users", name, "groups"), _field(user, "groups"), "group", groups, unknown
        )


def _section(data: Mapping[str, Any], name: str) -> Names | None:
    """The section's entries; None when it is there but not a mapping (nothing can be told)."""
    value = data.get(name, {})
    return value if isinstance(value, Mapping) else None


def _field(entry: Any, name: str) -> Any:
    return entry.get(name) if isinstance(entry, Mapping) else None


def _strings(value: Any) -> Iterator[tuple[int, str]]:
    if isinstance(value, list):
        yield from ((i, v) for i, v in enumerate(value) if isinstance(v, str))


def _names(
    base: PathKey, value: Any, kind: str, known: Names | None, unknown: Unknown
) -> Iterator[Finding]:
    if known is None:
        return
    for index, name in _strings(value):
        if name not in known:
            yield Finding((*base, index), unknown(kind, name, known))


def _role_ref(ref: RoleRef, accounts: Names, roles: Names, unknown: Unknown) -> str | None:
    if ref.account not in accounts:
        return unknown("account", ref.account, accounts)
    if ref.role not in roles:
        return unknown("role", ref.role, roles)
    listed_in = _field(roles[ref.role], "accounts")
    deployed = [a for _, a in _strings(listed_in)]
    if isinstance(listed_in, list) and ref.account not in deployed:
        listed = ", ".join(deployed)
        return f"role {ref.role!r} is not deployed to account {ref.account!r} (only to: {listed})"
    return None
