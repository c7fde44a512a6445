"""Naming rules of org.yaml: IAM names that differ only in case, and tags AWS would refuse.

``orgtf.config.checks.check_all`` runs ``check_naming`` with the other checks.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from orgtf.config.findings import Finding, PathKey
from orgtf.config.model import OrgConfig

TAG_TEXT = re.compile(r"[\w\s.:/=+@-]*")


def check_naming(config: OrgConfig) -> Iterator[Finding]:
    """Names that clash in IAM regardless of case, and tags with reserved or bad text."""
    yield from _check_case_collisions(config)
    yield from _check_tags(config)


def _check_case_collisions(config: OrgConfig) -> Iterator[Finding]:
    """IAM names are unique regardless of case: Admin and admin cannot both exist."""
    master = config.organization.master_account
    for section in ("policies", "groups", "users"):
        yield from _same_but_case(section, list(getattr(config, section)))
    for account in config.accounts:
        names = [n for n, role in config.roles.items() if account in role.accounts]
        if account != master:  # the access role comes first: the clash is the other role's
            names.insert(0, config.organization.access_role)
        yield from _same_but_case("roles", names, f" in account {account!r}")


def _same_but_case(section: str, names: list[str], where: str = "") -> Iterator[Finding]:
    seen: dict[str, str] = {}
    for name in names:
        first = seen.setdefault(name.lower(), name)
        if first != name:
            yield Finding(
                (section, name),
                f"{name!r} and {first!r} differ only in case; IAM treats them as one name{where}",
                True,
            )


def _check_tags(config: OrgConfig) -> Iterator[Finding]:
    tagged = [("roles", n, r.tags) for n, r in config.roles.items()]
    tagged += [("users", n, u.tags) for n, u in config.users.items()]
    for section, name, tags in tagged:
        for key, value in tags.items():
            where: PathKey = (section, name, "tags", key)
            if key.lower().startswith("aws:"):
                yield Finding(where, f"tag key {key!r}: the aws: prefix is reserved by AWS", True)
            for text in (key, value):
                if not TAG_TEXT.fullmatch(text):
                    yield Finding(
                        where,
                        f"tag {key!r}: {text!r} has characters AWS does not allow in tags "
                        "(letters, digits, spaces and _.:/=+-@ only)",
                    )
