"""Plan results as text for people, JSON for machines and markdown for pull-request comments;
apply results as a short text summary.

Accounts are listed by name and resources by address, so the same results always give the same
report. Anything that came from Terraform or org.yaml is escaped for the format it lands in.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Literal, TypeAlias, get_args

from orgtf.terraform.plan import (
    AccountPlan,
    AccountStatus,
    ApplyOutcome,
    ApplyStatus,
    ResourceChange,
)

ReportFormat: TypeAlias = Literal["text", "json", "markdown"]
MARKDOWN_LIMIT = 60_000
STATUSES: tuple[AccountStatus, ...] = ("changes", "no-changes", "error")
APPLY_STATUSES: tuple[ApplyStatus, ...] = get_args(ApplyStatus)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_MD_SAFE = frozenset(" .,:;/()'=@-")
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


def format_apply_summary(outcomes: Sequence[ApplyOutcome]) -> str:
    """One line per account (counts for those applied, then any error), then the accounts by
    status; ends with a newline."""
    width = max(len(o.account) for o in outcomes)
    lines = ["Apply summary:"]
    for o in outcomes:
        applied = (
            f" (+{o.summary.add} ~{o.summary.change} -{o.summary.destroy})"
            if o.summary and o.status == "applied"
            else ""
        )
        lines.append(f"  {o.account:<{width}}  {o.status}{applied}")
        if o.error:
            lines.extend(f"      {line}" for line in o.error.splitlines())
    by_status = {s: [o.account for o in outcomes if o.status == s] for s in APPLY_STATUSES}
    lines.append("  " + "; ".join(f"{s}: {', '.join(n) or '-'}" for s, n in by_status.items()))
    return "\n".join(lines) + "\n"


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
    rows = [header, *(_text_row(r) for r in ordered)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        "  ".join(
            c.ljust(w) if i < 3 else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in rows
    ]
    lines = [line.rstrip() for line in lines] + [_overall(results), ""]
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
    table = [
        "| Account | Account ID | Status | Add | Change | Destroy |",
        "| --- | --- | --- | ---: | ---: | ---: |",
    ]
    rows = [_md_row(r) for r in ordered if r.status != "no-changes"]
    unchanged = [r.account for r in ordered if r.status == "no-changes"]
    if unchanged:
        rows.append(_md_unchanged_row(unchanged))
    shown = _fit(rows, budget - sum(len(line) + 1 for line in table) - 60)
    hidden = len(rows) - len(shown)
    more = [f"| {hidden} more rows not shown | | | | | |"] if hidden else []
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
    total = f"+{totals['add']} ~{totals['change']} -{totals['destroy']}"
    return (
        f"{totals['accounts']} {noun}: {totals['changes']} with changes, "
        f"{totals['no-changes']} without changes, {totals['error']} failed; "
        + (f"**{total}** in total" if bold else f"{total} in total")
    )


def _status_text(result: AccountPlan) -> str:
    return {"changes": "changes", "no-changes": "no changes", "error": "error"}[result.status]


def _text_row(result: AccountPlan) -> tuple[str, ...]:
    add, change, destroy = counts(result)
    numbers = ("n/a",) * 3 if result.summary is None else (f"+{add}", f"~{change}", f"-{destroy}")
    return (_plain(result.account), _plain(result.account_id), _status_text(result), *numbers)


def _text_details(result: AccountPlan) -> list[str]:
    add, change, destroy = counts(result)
    name = f"{_plain(result.account)} ({_plain(result.account_id)})"
    lines = [f"{name}: " + (f"+{add} ~{change} -{destroy}" if result.summary else "error")]
    lines += [f"  {line}" for line in _change_lines(result)]
    if result.error is not None:
        lines += [f"  {_plain(line)}" for line in result.error.splitlines()]
    if _log_not_named(result):
        lines.append(f"  log: {_plain(str(result.log_path))}")
    return lines


def _change_lines(result: AccountPlan) -> list[str]:
    lines = [f"{c.symbol:<3} {_plain(c.display_address)}" for c in changes(result)]
    outputs = result.summary.output_changes if result.summary else ()
    if outputs:
        lines.append("outputs changing: " + ", ".join(_plain(o) for o in outputs))
    return lines


def _plain(text: str) -> str:
    """Text safe for a terminal: control characters (escape sequences) are replaced."""
    return _CONTROL.sub("?", text)


def _md(text: str) -> str:
    """Text safe anywhere in markdown or HTML: punctuation that could mean something is encoded."""
    return "".join(c if c.isalnum() or c in _MD_SAFE else f"&#{ord(c)};" for c in _plain(text))


def _md_row(result: AccountPlan) -> str:
    cells = [_md(result.account), _md(result.account_id), _status_text(result)]
    add, change, destroy = counts(result)
    cells += ["n/a"] * 3 if result.summary is None else [str(add), str(change), str(destroy)]
    return "| " + " | ".join(cells) + " |"


def _md_unchanged_row(names: list[str]) -> str:
    listed = ", ".join(_md(n) for n in names[:_MAX_NAMES])
    if len(names) > _MAX_NAMES:
        listed += f" and {len(names) - _MAX_NAMES} more"
    noun = "account" if len(names) == 1 else "accounts"
    return f"| {len(names)} {noun} without changes: {listed} | | no changes | 0 | 0 | 0 |"


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
    add, change, destroy = counts(result)
    title = f"{_md(result.account)} ({_md(result.account_id)}): " + (
        f"+{add} ~{change} -{destroy}" if result.summary else "error"
    )
    body = _change_lines(result)
    if result.error is not None:
        error = result.error if len(result.error) <= _MAX_ERROR else result.error[:_MAX_ERROR]
        body += [*error.splitlines(), *([] if error == result.error else ["(error truncated)"])]
    if _log_not_named(result):
        body.append(f"log: {result.log_path}")
    fence = "`" * max([3, *(len(run) + 1 for run in re.findall(r"`+", "\n".join(body)))])
    head = f"<details><summary>{title}</summary>\n\n{fence}diff\n"
    tail = f"{fence}\n\n</details>\n"
    clean = [_plain(line) for line in body]
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
