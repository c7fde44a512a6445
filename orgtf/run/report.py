"""Plan results as text for people, JSON for machines and markdown for pull-request comments.

Accounts are listed by name and resources by address, so the same results always give the same
report. Anything that came from Terraform or org.yaml is escaped for the format it lands in.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Literal, TypeAlias

from orgtf.run.results import AccountPlan, AccountStatus
from orgtf.terraform.plan import ResourceChange
from orgtf.text import (
    change_counts,
    code_fence,
    count_cells,
    md_escape,
    md_row,
    md_table,
    terminal_safe,
    text_table,
)

ReportFormat: TypeAlias = Literal["text", "json", "markdown"]
MARKDOWN_LIMIT = 60_000
STATUSES: tuple[AccountStatus, ...] = ("changes", "no-changes", "error")
_NOTICE_RESERVE = 500
_MAX_NAMES = 40
_MAX_ERROR = 2_000


def format_report(results: Sequence[AccountPlan], fmt: ReportFormat) -> str:
    """The report of ``results`` in ``fmt``; ends with a newline."""
    if fmt == "json":
        return report_json(results)
    if fmt == "markdown":
        return report_markdown(results)
    return report_text(results)


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


def report_json(results: Sequence[AccountPlan]) -> str:
    """The ``--format json`` document: ``{"accounts": [...], "summary": {...}}``."""
    accounts = []
    for result in _ordered(results):
        add, change, destroy = counts(result)
        accounts.append(
            {
                "account": result.account,
                "account_id": result.account_id,
                "status": result.status,
                "add": add,
                "change": change,
                "destroy": destroy,
                "resources": [
                    {"address": c.address, "actions": list(c.actions)} for c in changes(result)
                ],
                "error": result.error,
            }
        )
    document = {"accounts": accounts, "summary": summary_counts(results)}
    return json.dumps(document, indent=2) + "\n"


def report_text(results: Sequence[AccountPlan]) -> str:
    """A table with one row per account, then the changes and errors of each account."""
    ordered = _ordered(results)
    header = ("ACCOUNT", "ACCOUNT ID", "STATUS", "ADD", "CHANGE", "DESTROY")
    lines = text_table([header, *(_text_row(r) for r in ordered)], right=(3, 4, 5))
    lines += [_overall(results), ""]
    for result in ordered:
        if result.status != "no-changes":
            lines += [*_text_details(result), ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def report_markdown(results: Sequence[AccountPlan], limit: int = MARKDOWN_LIMIT) -> str:
    """A pull-request comment of at most ``limit`` characters; says so when it is truncated."""
    ordered = _ordered(results)
    budget = limit - _NOTICE_RESERVE
    parts = ["### orgtf plan\n", f"{_overall(results, bold=True)}\n"]
    table, hidden_rows = _md_table(ordered, budget - sum(len(p) + 1 for p in parts))
    parts.append(table)
    sections, omitted, hidden_lines = _md_sections(ordered, budget - sum(len(p) + 1 for p in parts))
    parts += sections
    if omitted or hidden_lines or hidden_rows:
        parts.append(_md_notice(omitted, hidden_lines, hidden_rows, limit))
    return "\n".join(parts)


def _md_table(ordered: Sequence[AccountPlan], budget: int) -> tuple[str, int]:
    """The table (accounts without changes on one row) within ``budget``; rows left out."""
    header = ("Account", "Account ID", "Status", "Add", "Change", "Destroy")
    table = md_table(header, right=(3, 4, 5))
    rows = [_md_row(r) for r in ordered if r.status != "no-changes"]
    unchanged = [r.account for r in ordered if r.status == "no-changes"]
    if unchanged:
        rows.append(_md_unchanged_row(unchanged))
    shown = _fit(rows, budget - sum(len(line) + 1 for line in table) - 60)
    hidden = len(rows) - len(shown)
    more = [md_row([f"{hidden} more rows not shown", *[""] * 5])] if hidden else []
    return "\n".join([*table, *shown, *more]) + "\n", hidden


def _md_sections(ordered: Sequence[AccountPlan], budget: int) -> tuple[list[str], int, int]:
    """Collapsible details of each account with changes or errors, while they fit in
    ``budget``; also how many accounts were left out and how many lines of the last one."""
    # Failed accounts first: if details must be cut, their errors are the last to go.
    detailed = sorted(
        (r for r in ordered if r.status != "no-changes"), key=lambda r: r.status != "error"
    )
    sections: list[str] = []
    for result in detailed:
        section, hidden_lines = _md_section(result, budget)
        if section is None:
            break
        sections.append(section)
        budget -= len(section) + 1
        if hidden_lines:
            return sections, len(detailed) - len(sections), hidden_lines
    return sections, len(detailed) - len(sections), 0


def _ordered(results: Sequence[AccountPlan]) -> list[AccountPlan]:
    return sorted(results, key=lambda r: (r.account, r.account_id))


def _overall(results: Sequence[AccountPlan], bold: bool = False) -> str:
    """One line of totals (only numbers and fixed words, so it needs no escaping)."""
    totals = summary_counts(results)
    noun = "account" if totals["accounts"] == 1 else "accounts"
    total = change_counts(totals["add"], totals["change"], totals["destroy"])
    return (
        f"{totals['accounts']} {noun}: {totals['changes']} with changes, "
        f"{totals['no-changes']} without changes, {totals['error']} failed; "
        + (f"**{total}** in total" if bold else f"{total} in total")
    )


def _status_text(result: AccountPlan) -> str:
    return {"changes": "changes", "no-changes": "no changes", "error": "error"}[result.status]


def _counts_text(result: AccountPlan) -> str:
    """``+1 ~0 -2``, or ``error`` for an account without a plan."""
    return change_counts(*counts(result)) if result.summary else "error"


def _text_row(result: AccountPlan) -> tuple[str, ...]:
    numbers = ("n/a",) * 3 if result.summary is None else count_cells(*counts(result))
    return (result.account, result.account_id, _status_text(result), *numbers)


def _text_details(result: AccountPlan) -> list[str]:
    name = terminal_safe(f"{result.account} ({result.account_id})")
    lines = [f"{name}: {_counts_text(result)}"]
    lines += [f"  {line}" for line in _change_lines(result)]
    if result.error is not None:
        lines += [f"  {terminal_safe(line)}" for line in result.error.splitlines()]
    if _log_not_named(result):
        lines.append(f"  log: {terminal_safe(str(result.log_path))}")
    return lines


def _change_lines(result: AccountPlan) -> list[str]:
    lines = [f"{c.symbol:<3} {terminal_safe(c.display_address)}" for c in changes(result)]
    outputs = result.summary.output_changes if result.summary else ()
    if outputs:
        lines.append("outputs changing: " + terminal_safe(", ".join(outputs)))
    return lines


def _md_row(result: AccountPlan) -> str:
    cells = [md_escape(result.account), md_escape(result.account_id), _status_text(result)]
    cells += ["n/a"] * 3 if result.summary is None else [str(n) for n in counts(result)]
    return md_row(cells)


def _md_unchanged_row(names: list[str]) -> str:
    listed = ", ".join(md_escape(n) for n in names[:_MAX_NAMES])
    if len(names) > _MAX_NAMES:
        listed += f" and {len(names) - _MAX_NAMES} more"
    noun = "account" if len(names) == 1 else "accounts"
    return md_row(
        [f"{len(names)} {noun} without changes: {listed}", "", "no changes", "0", "0", "0"]
    )


def _fit(items: Sequence[str], budget: int) -> list[str]:
    """The longest prefix of ``items`` whose lines fit in ``budget`` characters."""
    kept: list[str] = []
    for item in items:
        budget -= len(item) + 1
        if budget < 0:
            break
        kept.append(item)
    return kept


def _md_section(result: AccountPlan, budget: int) -> tuple[str | None, int]:
    """A collapsible section within ``budget`` characters, and how many lines it left out."""
    title = f"{md_escape(result.account)} ({md_escape(result.account_id)}): {_counts_text(result)}"
    body = _change_lines(result)
    if result.error is not None:
        error = result.error if len(result.error) <= _MAX_ERROR else result.error[:_MAX_ERROR]
        body += [*error.splitlines(), *([] if error == result.error else ["(error truncated)"])]
    if _log_not_named(result):
        body.append(f"log: {result.log_path}")
    clean = [terminal_safe(line) for line in body]
    fence = code_fence(clean)
    head = f"<details><summary>{title}</summary>\n\n{fence}diff\n"
    tail = f"{fence}\n\n</details>\n"
    shown = _fit(clean, budget - len(head) - len(tail) - 60)
    if not shown and clean:
        return None, 0
    hidden = len(clean) - len(shown)
    more = [f"... {hidden} more lines not shown (truncated)"] if hidden else []
    return head + "\n".join([*shown, *more]) + "\n" + tail, hidden


def _md_notice(omitted_accounts: int, hidden_lines: int, hidden_rows: int, limit: int) -> str:
    what = []
    if hidden_rows:
        what.append(f"{hidden_rows} table rows")
    if omitted_accounts:
        what.append(f"the details of {omitted_accounts} more accounts")
    if hidden_lines:
        what.append(f"{hidden_lines} lines of one account's details")
    return (
        f"> **Truncated:** this comment is limited to {limit:,} characters, so "
        f"{' and '.join(what)} were left out. "
        "Run `orgtf plan` or read the full per-account logs for everything.\n"
    )


def _log_not_named(result: AccountPlan) -> bool:
    """An error whose message does not already give its log's path."""
    if result.log_path is None or result.status != "error":
        return False
    return str(result.log_path) not in (result.error or "")
