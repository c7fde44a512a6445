"""Plan results as text for people, JSON for machines and markdown for pull-request comments.

Accounts are listed by name and resources by address, so the same results always give the same
report. Anything that came from Terraform or org.yaml is escaped for the format it lands in.
Each updated or replaced resource shows what changes inside it (``orgtf.terraform.diff``);
protected accounts are marked, and a destroy apply will refuse there is said before apply.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Literal, TypeAlias

from orgtf.run.report_markdown import MARKDOWN_LIMIT as MARKDOWN_LIMIT
from orgtf.run.report_markdown import report_markdown
from orgtf.run.report_parts import (
    REFUSED,
    account_name,
    account_title,
    change_lines,
    changes,
    counts_text,
    deleted_users,
    log_not_named,
    notes,
    ordered,
    overall,
    status_text,
)
from orgtf.run.report_parts import counts as counts
from orgtf.run.report_parts import summary_counts as summary_counts
from orgtf.run.results import AccountPlan
from orgtf.terraform.plan import ResourceChange
from orgtf.text import count_cells, terminal_safe, text_table

ReportFormat: TypeAlias = Literal["text", "json", "markdown"]


def format_report(results: Sequence[AccountPlan], fmt: ReportFormat) -> str:
    """The report of ``results`` in ``fmt``; ends with a newline."""
    if fmt == "json":
        return report_json(results)
    if fmt == "markdown":
        return report_markdown(results)
    return report_text(results)


def report_json(results: Sequence[AccountPlan]) -> str:
    """The ``--format json`` document: ``{"accounts": [...], "summary": {...}}``."""
    accounts = []
    for result in ordered(results):
        add, change, destroy = counts(result)
        accounts.append(
            {
                "account": result.account,
                "account_id": result.account_id,
                "protected": result.protected,
                "status": result.status,
                "add": add,
                "change": change,
                "destroy": destroy,
                "apply_refuses_destroy": result.apply_refuses_destroy,
                "resources": [_json_resource(c) for c in changes(result)],
                "error": result.error,
                "deleted_users": deleted_users(result),
                "notes": notes(result),
            }
        )
    document = {"accounts": accounts, "summary": summary_counts(results)}
    return json.dumps(document, indent=2) + "\n"


def _json_resource(change: ResourceChange) -> dict[str, object]:
    """A resource change; ``attributes`` has the changed attributes of updates and replaces."""
    return {
        "address": change.address,
        "actions": list(change.actions),
        "attributes": {
            a.name: {
                "before": a.before,
                "after": a.after,
                "diff": [str(line) for line in a.lines],
                "forces_replacement": a.forces_replacement,
            }
            for a in change.attributes
        },
    }


def report_text(results: Sequence[AccountPlan]) -> str:
    """A table with one row per account, then the changes and errors of each account."""
    accounts = ordered(results)
    header = ("ACCOUNT", "ACCOUNT ID", "STATUS", "ADD", "CHANGE", "DESTROY")
    lines = text_table([header, *(_text_row(r) for r in accounts)], right=(3, 4, 5))
    lines += [overall(results), ""]
    for result in accounts:
        if result.status != "no-changes":
            lines += [*_text_details(result), ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _text_row(result: AccountPlan) -> tuple[str, ...]:
    numbers = ("n/a",) * 3 if result.summary is None else count_cells(*counts(result))
    return (account_name(result), result.account_id, status_text(result), *numbers)


def _text_details(result: AccountPlan) -> list[str]:
    lines = [f"{terminal_safe(account_title(result))}: {counts_text(result)}"]
    if result.apply_refuses_destroy:
        lines.append(f"  {REFUSED}")
    lines += [f"  {terminal_safe(line)}" for line in change_lines(result)]
    if result.error is not None:
        lines += [f"  {terminal_safe(line)}" for line in result.error.splitlines()]
    if log_not_named(result):
        lines.append(f"  log: {terminal_safe(str(result.log_path))}")
    return lines
