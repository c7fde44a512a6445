"""The access matrix and the access diff as text, JSON and Markdown, byte for byte stable.

Names, ARNs and values come from org.yaml: text output makes them terminal-safe and Markdown
escapes them (``orgtf.text``), so none can inject escape sequences, HTML or table cells.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict

from orgtf.access.diff import AccessChange, AccessDiff, ConfigChange, PolicyGrant
from orgtf.access.matrix import AccessEntry, AccessReport, GroupPolicies
from orgtf.text import (
    code_fence,
    duration,
    md_code,
    md_escape,
    md_table,
    plural,
    terminal_safe,
    text_table,
)

FORMATS = ("text", "json", "markdown")
SIGNS = {"granted": "+", "revoked": "-", "changed": "~", "added": "+", "removed": "-"}
DOCUMENT_FIELDS = frozenset({"inline_policy", "document"})


# --- the matrix ---------------------------------------------------------------------------


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def _entry_json(entry: AccessEntry) -> dict[str, object]:
    return {**asdict(entry), "role": str(entry.ref)}


def report_json(report: AccessReport) -> str:
    """The matrix as JSON with sorted keys."""
    data = {
        "organization": report.organization,
        "access": [_entry_json(e) for e in report.entries],
        "users_without_roles": list(report.users_without_roles),
        "roles_without_users": [str(r) for r in report.roles_without_users],
        "group_policies": [asdict(g) for g in report.group_policies],
    }
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def _row(entry: AccessEntry, *, markdown: bool = False) -> list[str]:
    """The table cells of one entry; in Markdown, roles and ARNs are code."""
    name, code = (md_escape, md_code) if markdown else (terminal_safe, terminal_safe)
    return [
        name(entry.user),
        code(str(entry.ref)) + (" (protected)" if entry.protected else ""),
        _yes(entry.require_mfa),
        duration(entry.max_session_duration),
        name(", ".join(entry.groups)),
        code(entry.role_arn),
    ]


def _policy_warning(group: GroupPolicies) -> str:
    users = ", ".join(group.users) or "no user yet"
    return (
        f"Warning: group {group.group} also attaches {', '.join(group.policy_arns)} to "
        f"{users}: if that allows sts:AssumeRole, they may assume any role, not only those listed"
    )


def _leftovers(report: AccessReport) -> Iterator[str]:
    yield from (_policy_warning(g) for g in report.group_policies)
    if report.users_without_roles:
        yield f"Users who may assume no role: {', '.join(report.users_without_roles)}"
    if report.roles_without_users:
        roles = ", ".join(str(r) for r in report.roles_without_users)
        yield f"Roles no user may assume: {roles}"


def report_text(report: AccessReport) -> str:
    """The matrix as an aligned table, then users and roles left without access."""
    lines = [f"Access in organization {terminal_safe(report.organization)} (from org.yaml)"]
    if report.entries:
        header = ["USER", "ROLE", "MFA", "MAX SESSION", "GROUPS", "ROLE ARN"]
        rows = [_row(e) for e in report.entries]
        lines += ["", *text_table([header, *rows])]
    extra = [terminal_safe(line) for line in _leftovers(report)]
    return "\n".join(lines + ([""] if extra else []) + extra) + "\n"


def report_markdown(report: AccessReport) -> str:
    """The matrix as a Markdown table for a wiki page or an audit."""
    lines = [f"## Access in organization {md_code(report.organization)}", ""]
    if report.entries:
        header = ["User", "Role", "MFA", "Max session", "Groups", "Role ARN"]
        lines += md_table(header, (_row(e, markdown=True) for e in report.entries))
        lines.append("")
    lines += [f"- {_bold_warning(md_escape(line))}" for line in _leftovers(report)]
    return "\n".join(lines).rstrip("\n") + "\n"


def _bold_warning(line: str) -> str:
    return line.replace("Warning:", "**Warning:**", 1) if line.startswith("Warning:") else line


# --- the diff -----------------------------------------------------------------------------


def describe_access(change: AccessChange) -> str:
    """``+ alice production/Admin via admins [protected account, MFA]`` and the like."""
    role = f"{change.account}/{change.role}"
    if change.action == "revoked":
        text = f"- {change.user} {role} (was via {', '.join(change.old_groups)})"
    else:
        text = f"{SIGNS[change.action]} {change.user} {role} via {', '.join(change.groups)}"
        if change.action == "changed":
            text += f" (was via {', '.join(change.old_groups)})"
    flags = (("protected account", change.protected), ("MFA", change.require_mfa))
    notes = [name for name, on in flags if on]
    return text + (f" [{', '.join(notes)}]" if notes else "")


def describe_policy_grant(grant: PolicyGrant) -> str:
    """``+ bob managed policy ARN via admins [broad: may assume any role, protected accounts]``."""
    scope = "broad: may assume any role" + (", protected accounts" if grant.protected else "")
    return (
        f"+ {grant.user} managed policy {grant.policy_arn} via {', '.join(grant.groups)} [{scope}]"
    )


def describe_change(change: ConfigChange) -> str:
    """One line for any non-access change, e.g. ``~ role qa/Deploy: require_mfa false -> true``."""
    sign, item = SIGNS[change.action], change.new or change.old
    if change.field in DOCUMENT_FIELDS:
        return f"{sign} {change.kind} {change.subject}: {change.field} changed"
    if change.field:
        old, new = change.old or "(none)", change.new or "(none)"
        return f"{sign} {change.kind} {change.subject}: {change.field} {old} -> {new}"
    if change.kind == "group-role":
        verb = "grants" if change.action == "added" else "no longer grants"
        return f"{sign} group {change.subject} {verb} {item}"
    if change.kind == "membership":
        verb = "joins" if change.action == "added" else "leaves"
        return f"{sign} user {change.subject} {verb} group {item}"
    return f"{sign} {change.kind} {change.subject}" + (f" ({item})" if item else "")


def _summary(diff: AccessDiff) -> str:
    def count(action: str) -> int:
        return sum(1 for c in diff.access if c.action == action)

    parts = [
        f"{len(diff.granted())} granted ({len(diff.granted(protected_only=True))} in "
        "protected accounts)",
        f"{count('revoked')} revoked",
    ]
    if diff.policy_grants:
        parts.append(f"{plural(len(diff.policy_grants), 'broad grant')} through group policies")
    if count("changed"):
        parts.append(f"{count('changed')} now through other groups")
    return ", ".join([*parts, plural(len(diff.changes), "other change")])


def _diff_lines(diff: AccessDiff, *, markdown: bool = False) -> list[str]:
    # In a Markdown ``diff`` block, +/- must start the line to be coloured.
    indent, access, other = (
        ("", "@@ access @@", "@@ other changes @@")
        if markdown
        else (
            "  ",
            "Access:",
            "Other changes:",
        )
    )
    lines: list[str] = []
    if diff.access or diff.policy_grants:
        lines += [access, *(f"{indent}{describe_access(c)}" for c in diff.access)]
        lines += [f"{indent}{describe_policy_grant(g)}" for g in diff.policy_grants]
    if diff.changes:
        lines += [other, *(f"{indent}{describe_change(c)}" for c in diff.changes)]
    return [terminal_safe(line) for line in lines]  # one line per change, nothing hidden


def diff_text(diff: AccessDiff) -> str:
    """The diff for a terminal or a CI log."""
    base, new = terminal_safe(diff.base), terminal_safe(diff.new)
    if not (diff.access or diff.policy_grants or diff.changes):
        return f"No changes between {base} and {new}.\n"
    lines = [f"Changes from {base} to {new}:", *_diff_lines(diff)]
    return "\n".join([*lines, f"Summary: {_summary(diff)}"]) + "\n"


def diff_markdown(diff: AccessDiff) -> str:
    """The diff for a pull-request comment: a summary and a ``diff`` code block."""
    lines = ["### orgtf access diff", "", f"{md_code(diff.base)} → {md_code(diff.new)}", ""]
    if not (diff.access or diff.policy_grants or diff.changes):
        return "\n".join([*lines, "No changes."]) + "\n"
    protected = diff.granted(protected_only=True)
    if protected:
        users = sorted({f"{c.user} → {c.account}/{c.role}" for c in protected})
        lines += [f"**Access gained in protected accounts:** {md_escape('; '.join(users))}", ""]
    if diff.policy_grants:
        grants = [f"{g.user} → {g.policy_arn}" for g in diff.policy_grants]
        grants_text = md_escape("; ".join(grants))
        lines += [f"**Group policies gained (may reach any role):** {grants_text}", ""]
    block = _diff_lines(diff, markdown=True)
    fence = code_fence(block)
    lines += [f"Summary: {_summary(diff)}", "", f"{fence}diff", *block, fence]
    return "\n".join(lines) + "\n"


def _access_json(change: AccessChange) -> dict[str, object]:
    return {**asdict(change), "role": f"{change.account}/{change.role}"}


def diff_json(diff: AccessDiff) -> str:
    """The diff as JSON with sorted keys."""
    data = {
        "base": diff.base,
        "new": diff.new,
        "access": [_access_json(c) for c in diff.access],
        "changes": [asdict(c) for c in diff.changes],
        "policy_grants": [asdict(g) for g in diff.policy_grants],
        "summary": {
            "granted": len(diff.granted()),
            "granted_protected": len(diff.granted(protected_only=True)),
            "revoked": sum(1 for c in diff.access if c.action == "revoked"),
            "changed": sum(1 for c in diff.access if c.action == "changed"),
            "other_changes": len(diff.changes),
            "policy_grants": len(diff.policy_grants),
        },
    }
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


# --- choosing a format ----------------------------------------------------------------------

_REPORT_FORMATTERS: Mapping[str, Callable[[AccessReport], str]] = {
    "text": report_text,
    "json": report_json,
    "markdown": report_markdown,
}
_DIFF_FORMATTERS: Mapping[str, Callable[[AccessDiff], str]] = {
    "text": diff_text,
    "json": diff_json,
    "markdown": diff_markdown,
}


def format_report(report: AccessReport, fmt: str) -> str:
    """The matrix in ``fmt``, one of FORMATS."""
    return _REPORT_FORMATTERS[fmt](report)


def format_diff(diff: AccessDiff, fmt: str) -> str:
    """The diff in ``fmt``, one of FORMATS."""
    return _DIFF_FORMATTERS[fmt](diff)
