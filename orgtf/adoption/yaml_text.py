"""The text of an imported org.yaml: deterministic, sections in order, commented choices."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

from orgtf.adoption.found import FoundOrganization

SECTIONS = ("accounts", "policies", "roles", "groups", "users")
HEADER = """\
# Written by `orgtf import` from {where}.
# Review it like any org.yaml: from now on, orgtf plans and applies what it says. The
# import changed nothing in AWS; what it could not describe is listed by the import and
# stays as it is, unmanaged.
"""
SETTING_NOTES = {
    "default_tags": (
        "orgtf tags what it manages (ManagedBy: orgtf) unless told otherwise; the import sets",
        "no tags so that the first plan changes nothing. Remove this line to tag everything.",
    ),
    "self_service": (
        "true: every user is in orgtf-self-service (their own password, keys and MFA; MFA",
        "for everything else). The import writes false unless it found that group.",
    ),
}


def org_yaml_text(found: FoundOrganization, where: str) -> str:
    """The whole file."""
    data = found.data
    parts = [HEADER.format(where=where), f"version: {data['version']}\n"]
    parts.append(_organization(data["organization"]))
    for section in SECTIONS:
        parts.append(_section(section, data[section], found.comments))
    return "\n".join(parts)


def _organization(settings: Mapping[str, Any]) -> str:
    lines = ["organization:"]
    for key, value in settings.items():
        lines += [f"  # {note}" for note in SETTING_NOTES.get(key, ())]
        lines += _indented(_dump({key: value}))
    return "\n".join(lines) + "\n"


def _section(
    section: str,
    entries: Mapping[str, Any],
    comments: Mapping[tuple[str, str], tuple[str, ...]],
) -> str:
    if not entries:
        return f"{section}: {{}}\n"
    lines = [f"{section}:"]
    for name, value in entries.items():
        lines += [f"  # {note}" for note in comments.get((section, name), ())]
        lines += _indented(_dump({name: value}))
    return "\n".join(lines) + "\n"


def _dump(value: Mapping[str, Any]) -> str:
    return yaml.safe_dump(
        dict(value), sort_keys=False, default_flow_style=False, allow_unicode=True, width=100
    )


def _indented(text: str) -> list[str]:
    return [f"  {line}" if line else line for line in text.splitlines()]
