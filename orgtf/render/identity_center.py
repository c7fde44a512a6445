"""The master root's Identity Center variables: permission sets, identity store, assignments.

Each role is a permission set of its name; each group and user an identity store group and
user; each role reference of a group one account assignment of that group and permission set
in that account. The identity-center module makes them (modules/identity-center).
"""

from __future__ import annotations

from typing import Any

from orgtf.config.identity_center import person
from orgtf.config.model import Role
from orgtf.config.organization import Organization
from orgtf.config.policy import document_json


def identity_center_data(org: Organization) -> dict[str, Any]:
    """The ``identity_center`` variable of the master root."""
    config = org.config
    return {
        "permission_sets": {
            name: permission_set_data(org, role) for name, role in sorted(config.roles.items())
        },
        "groups": {
            name: {"description": group.description}
            for name, group in sorted(config.groups.items())
        },
        "users": {name: _user(org, name) for name in sorted(config.users)},
        "assignments": {
            f"{group}/{ref.account}/{ref.role}": {
                "group": group,
                "permission_set": ref.role,
                "account_id": org.account(ref.account).id,
            }
            for group, data in sorted(config.groups.items())
            for ref in sorted(set(data.roles))
        },
    }


def permission_set_data(org: Organization, role: Role) -> dict[str, Any]:
    """One role as a permission set: its policies by ARN, by name and path, and inline."""
    return {
        "description": role.description,
        "session_duration": iso_duration(role.max_session_duration),
        "tags": dict(sorted(role.tags.items())),
        "managed_policy_arns": sorted(set(role.managed_policy_arns)),
        "customer_managed_policies": [
            {"name": name, "path": org.config.policies[name].path}
            for name in sorted(set(role.policies))
        ],
        "inline_policy": None if role.inline_policy is None else document_json(role.inline_policy),
    }


def _user(org: Organization, name: str) -> dict[str, Any]:
    user = org.config.users[name]
    found = person(name, user)
    return {
        "display_name": found.display_name,
        "given_name": found.given_name,
        "family_name": found.family_name,
        "email": found.email,
        "groups": sorted(set(user.groups)),
    }


def iso_duration(seconds: int) -> str:
    """Seconds as Identity Center's ISO-8601 session duration: 3600 is PT1H, 5400 PT1H30M."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [
        f"{hours}H" if hours else "",
        f"{minutes}M" if minutes else "",
        f"{secs}S" if secs else "",
    ]
    return "PT" + "".join(parts)
