"""What every plan report format says the same way: counts, totals, the changes of an account
with what changes inside each resource, and the notes on protected accounts.

Lines made here are not yet escaped: each format makes them safe for where they land.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from orgtf.run.results import AccountPlan, AccountStatus
from orgtf.terraform.plan import ResourceChange
from orgtf.text import change_counts

STATUSES: tuple[AccountStatus, ...] = ("changes", "no-changes", "error")
REFUSED = "apply will refuse this destroy unless --allow-destroy"
MAX_NAMES = 40
_MAX_VALUE = 500  # characters of one changed value in a line; the JSON report has them all
# The users of org.yaml, as the identity-groups module names them (force_destroy = true).
_USER_PREFIX = 'module.identity_groups.aws_iam_user.this["'


def counts(result: AccountPlan) -> tuple[int, int, int]:
    """(add, change, destroy) of one account; zeros when it has no plan."""
    summary = result.summary
    return (summary.add, summary.change, summary.destroy) if summary else (0, 0, 0)


def changes(result: AccountPlan) -> tuple[ResourceChange, ...]:
    """The resource changes of one account that change something, by address."""
    return result.summary.changes if result.summary else ()


def summary_counts(results: Sequence[AccountPlan]) -> dict[str, int]:
    """Accounts in total and by status, and the add/change/destroy totals."""
    totals = [counts(r) for r in results]
    by_status: dict[str, int] = {s: sum(1 for r in results if r.status == s) for s in STATUSES}
    return {
        "accounts": len(results),
        **by_status,
        "add": sum(t[0] for t in totals),
        "change": sum(t[1] for t in totals),
        "destroy": sum(t[2] for t in totals),
    }


def ordered(results: Sequence[AccountPlan]) -> list[AccountPlan]:
    """The results by account name, so the same results always give the same report."""
    return sorted(results, key=lambda r: (r.account, r.account_id))


def overall(results: Sequence[AccountPlan], bold: bool = False) -> str:
    """One line of totals (only numbers and fixed words, so it needs no escaping)."""
    totals = summary_counts(results)
    noun = "account" if totals["accounts"] == 1 else "accounts"
    total = change_counts(totals["add"], totals["change"], totals["destroy"])
    return (
        f"{totals['accounts']} {noun}: {totals['changes']} with changes, "
        f"{totals['no-changes']} without changes, {totals['error']} failed; "
        + (f"**{total}** in total" if bold else f"{total} in total")
    )


def status_text(result: AccountPlan) -> str:
    """The status as a table shows it."""
    return {"changes": "changes", "no-changes": "no changes", "error": "error"}[result.status]


def counts_text(result: AccountPlan) -> str:
    """``+1 ~0 -2``, or ``error`` for an account without a plan."""
    return change_counts(*counts(result)) if result.summary else "error"


def account_name(result: AccountPlan) -> str:
    """The account's name, marked ``(protected)`` when it is."""
    return f"{result.account} (protected)" if result.protected else result.account


def account_title(result: AccountPlan) -> str:
    """``prod (222222222222, protected)``: the heading of an account's details."""
    marker = ", protected" if result.protected else ""
    return f"{result.account} ({result.account_id}{marker})"


def refused_accounts(results: Sequence[AccountPlan]) -> list[str]:
    """The protected accounts whose plan deletes or replaces something, by name."""
    return [r.account for r in ordered(results) if r.apply_refuses_destroy]


def has_details(result: AccountPlan) -> bool:
    """True when a resource of the account shows what changes inside it."""
    return any(c.attributes for c in changes(result))


def log_not_named(result: AccountPlan) -> bool:
    """An error whose message does not already give its log's path."""
    if result.log_path is None or result.status != "error":
        return False
    return str(result.log_path) not in (result.error or "")


def change_lines(result: AccountPlan, *, details: bool = True) -> list[str]:
    """One line per changed resource (Terraform's marker, then the address), each followed by
    its changed attributes when ``details``; then the outputs that change."""
    lines: list[str] = []
    for change in changes(result):
        lines.append(f"{change.symbol:<3} {change.display_address}")
        if details:
            lines += attribute_lines(change)
    outputs = result.summary.output_changes if result.summary else ()
    if outputs:
        lines.append("outputs changing: " + ", ".join(outputs))
    return lines + [f"note: {note}" for note in notes(result)]


def deleted_users(result: AccountPlan) -> list[str]:
    """The users of org.yaml the plan deletes (not replaces), by name."""
    return sorted(
        json.loads(change.address[len(_USER_PREFIX) - 1 : -1])
        for change in changes(result)
        if change.type == "aws_iam_user"
        and change.kind == "delete"
        and not change.deposed
        and change.address.startswith(_USER_PREFIX)
        and change.address.endswith("]")
    )


def notes(result: AccountPlan) -> list[str]:
    """What a plan means beyond its resources: the credentials of deleted users, and how
    access moves between IAM and Identity Center."""
    found = [
        f"user {name} is deleted with their console password, access keys and MFA devices "
        "(force_destroy), including any made outside Terraform"
        for name in deleted_users(result)
    ]
    return found + identity_notes(changes(result))


_IDENTITY_CENTER = {
    "aws_ssoadmin_permission_set": "permission set",
    "aws_ssoadmin_account_assignment": "account assignment",
    "aws_identitystore_group": "identity store group",
    "aws_identitystore_user": "identity store user",
}


def identity_notes(planned: tuple[ResourceChange, ...]) -> list[str]:
    """One line for Identity Center's side of a plan, one for IAM roles it deletes."""
    lines = []
    moves = []
    for verb, kinds in (
        ("creates", ("create",)),
        ("replaces", ("replace",)),
        ("deletes", ("delete",)),
    ):
        for kind, label in _IDENTITY_CENTER.items():
            count = sum(1 for c in planned if c.type == kind and c.kind in kinds and not c.deposed)
            if count:
                moves.append(f"{verb} {count} {label}{'s' if count > 1 else ''}")
    if moves:
        lines.append("Identity Center: " + ", ".join(moves))
    roles = sorted(
        c.address.rsplit("[", 1)[-1].strip('"]')
        for c in planned
        if c.type == "aws_iam_role" and c.kind == "delete" and not c.deposed
    )
    if roles:
        lines.append(
            f"IAM roles deleted: {', '.join(roles)}: whoever assumes them loses that access "
            "(with identity_center, keep_iam_roles: true keeps them while people move)"
        )
    return lines


def attribute_lines(change: ResourceChange) -> list[str]:
    """Each changed attribute's name, then its removed and added values, the sign first (so a
    ``diff`` code block colours them)."""
    lines = []
    for attribute in change.attributes:
        notes = ["forces replacement"] if attribute.forces_replacement else []
        notes += [] if attribute.lines else ["the same policy, only reordered or reformatted"]
        lines.append(f"      {attribute.name}:" + "".join(f"  ({note})" for note in notes))
        lines += [f"{line.sign}       {_clipped(line.text)}" for line in attribute.lines]
    return lines


def _clipped(text: str) -> str:
    if len(text) <= _MAX_VALUE:
        return text
    return f"{text[:_MAX_VALUE]}... ({len(text) - _MAX_VALUE} more characters)"
