"""Naming rules of org.yaml: IAM names that differ only in case.

``orgtf.config.checks.check_all`` runs ``check_naming`` with the other checks.
"""

from __future__ import annotations

from collections.abc import Iterator

from orgtf.config.findings import Finding
from orgtf.config.model import OrgConfig


def check_naming(config: OrgConfig) -> Iterator[Finding]:
    """IAM names are unique regardless of case: Admin and admin cannot both exist."""
    master = config.organization.master_account
    for section in ("policies", "groups", "users"):
        yield from _same_but_case(section, list(getattr(config, section)))
    roles_in: dict[str, list[str]] = {account: [] for account in config.accounts}
    for account in config.accounts:
        if account != master:  # the access role comes first: the clash is the other role's
            roles_in[account].append(config.organization.access_role)
    for name, role in config.roles.items():
        for account in dict.fromkeys(role.accounts):
            roles_in.get(account, []).append(name)
    for account, names in roles_in.items():
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
