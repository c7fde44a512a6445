"""The plan report as a pull-request comment, never over its character limit.

One table (accounts without changes on one row), then a collapsible section per account with
changes or errors. When everything does not fit, details are cut, never the table's rows while
they fit: first what changes inside resources (account by account, the last ones first), then
lines of an account's section, then whole sections (errors last); the comment says what was
left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from orgtf.run.report_parts import (
    MAX_NAMES,
    REFUSED,
    account_name,
    account_title,
    change_lines,
    counts,
    counts_text,
    has_details,
    log_not_named,
    ordered,
    overall,
    refused_accounts,
    status_text,
)
from orgtf.run.results import AccountPlan
from orgtf.text import code_fence, md_escape, md_row, md_table, terminal_safe

MARKDOWN_LIMIT = 60_000
_NOTICE_RESERVE = 500
_MAX_ERROR = 2_000
_UNLIMITED = 10**12
_DETAILS_LEFT_OUT = "(what changes inside each resource was left out to keep the comment short)"


@dataclass(frozen=True)
class _Cuts:
    """What the sections left out to stay within the limit."""

    accounts: int = 0  # sections left out
    lines: int = 0  # lines of the last section shown
    details: int = 0  # sections shown without what changes inside their resources


def report_markdown(results: Sequence[AccountPlan], limit: int = MARKDOWN_LIMIT) -> str:
    """A pull-request comment of at most ``limit`` characters; says so when it is truncated."""
    accounts = ordered(results)
    budget = limit - _NOTICE_RESERVE
    parts = ["### orgtf plan\n", f"{overall(results, bold=True)}\n"]
    refused = refused_accounts(results)
    if refused:
        parts.append(_refused_note(refused))
    table, hidden_rows = _md_table(accounts, budget - _size(parts))
    parts.append(table)
    sections, cuts = _md_sections(accounts, budget - _size(parts))
    parts += sections
    if cuts.accounts or cuts.lines or cuts.details or hidden_rows:
        parts.append(_md_notice(cuts, hidden_rows, limit))
    return "\n".join(parts)


def _size(parts: Sequence[str]) -> int:
    return sum(len(p) + 1 for p in parts)


def _refused_note(names: list[str]) -> str:
    listed = ", ".join(md_escape(n) for n in names[:MAX_NAMES])
    if len(names) > MAX_NAMES:
        listed += f" and {len(names) - MAX_NAMES} more"
    return (
        f"> **Protected accounts:** {listed}: {REFUSED} (the plan deletes or replaces "
        "resources there).\n"
    )


def _md_table(accounts: Sequence[AccountPlan], budget: int) -> tuple[str, int]:
    """The table (accounts without changes on one row) within ``budget``; rows left out."""
    header = ("Account", "Account ID", "Status", "Add", "Change", "Destroy")
    table = md_table(header, right=(3, 4, 5))
    rows = [_md_row(r) for r in accounts if r.status != "no-changes"]
    unchanged = [account_name(r) for r in accounts if r.status == "no-changes"]
    if unchanged:
        rows.append(_md_unchanged_row(unchanged))
    shown = _fit(rows, budget - sum(len(line) + 1 for line in table) - 60)
    hidden = len(rows) - len(shown)
    more = [md_row([f"{hidden} more rows not shown", *[""] * 5])] if hidden else []
    return "\n".join([*table, *shown, *more]) + "\n", hidden


def _md_row(result: AccountPlan) -> str:
    cells = [md_escape(account_name(result)), md_escape(result.account_id), status_text(result)]
    cells += ["n/a"] * 3 if result.summary is None else [str(n) for n in counts(result)]
    return md_row(cells)


def _md_unchanged_row(names: list[str]) -> str:
    listed = ", ".join(md_escape(n) for n in names[:MAX_NAMES])
    if len(names) > MAX_NAMES:
        listed += f" and {len(names) - MAX_NAMES} more"
    noun = "account" if len(names) == 1 else "accounts"
    return md_row(
        [f"{len(names)} {noun} without changes: {listed}", "", "no changes", "0", "0", "0"]
    )


def _md_sections(accounts: Sequence[AccountPlan], budget: int) -> tuple[list[str], _Cuts]:
    """Collapsible details of each account with changes or errors, while they fit in
    ``budget``, and what was left out."""
    # Failed accounts first: if details must be cut, their errors are the last to go.
    detailed = sorted(
        (r for r in accounts if r.status != "no-changes"), key=lambda r: r.status != "error"
    )
    with_details = _with_details(detailed, budget)
    sections: list[str] = []
    hidden_lines = 0
    for result, details in zip(detailed, with_details, strict=True):
        section, hidden_lines = _md_section(result, details, budget)
        if section is None:
            break
        sections.append(section)
        budget -= len(section) + 1
        if hidden_lines:
            break
    stripped = with_details[: len(sections)].count(False)
    return sections, _Cuts(len(detailed) - len(sections), hidden_lines, stripped)


def _with_details(detailed: Sequence[AccountPlan], budget: int) -> list[bool]:
    """Which sections show what changes inside their resources: every one while all the
    sections fit, each in turn, once every section fits without them."""
    full = [_section_size(r, True) for r in detailed]
    short = [
        _section_size(r, False) if has_details(r) else size
        for r, size in zip(detailed, full, strict=True)
    ]
    spare = budget - sum(short)
    if spare < 0:
        return [not has_details(r) for r in detailed]
    chosen = []
    for long, brief in zip(full, short, strict=True):
        chosen.append(long - brief <= spare)
        spare -= long - brief if chosen[-1] else 0
    return chosen


def _section_size(result: AccountPlan, details: bool) -> int:
    section, _ = _md_section(result, details, _UNLIMITED)
    return len(section or "") + 1


def _md_section(result: AccountPlan, details: bool, budget: int) -> tuple[str | None, int]:
    """A collapsible section within ``budget`` characters, and how many lines it left out."""
    title = f"{md_escape(account_title(result))}: {counts_text(result)}"
    if result.apply_refuses_destroy:
        title += f"; {md_escape(REFUSED)}"
    body = change_lines(result, details=details)
    if not details and has_details(result):
        body.append(_DETAILS_LEFT_OUT)
    if result.error is not None:
        error = result.error if len(result.error) <= _MAX_ERROR else result.error[:_MAX_ERROR]
        body += [*error.splitlines(), *([] if error == result.error else ["(error truncated)"])]
    if log_not_named(result):
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


def _fit(items: Sequence[str], budget: int) -> list[str]:
    """The longest prefix of ``items`` whose lines fit in ``budget`` characters."""
    kept: list[str] = []
    for item in items:
        budget -= len(item) + 1
        if budget < 0:
            break
        kept.append(item)
    return kept


def _md_notice(cuts: _Cuts, hidden_rows: int, limit: int) -> str:
    what = []
    if hidden_rows:
        what.append(f"{hidden_rows} table rows")
    if cuts.details:
        what.append(f"what changes inside the resources of {cuts.details} accounts")
    if cuts.accounts:
        what.append(f"the details of {cuts.accounts} more accounts")
    if cuts.lines:
        what.append(f"{cuts.lines} lines of one account's details")
    return (
        f"> **Truncated:** this comment is limited to {limit:,} characters, so "
        f"{' and '.join(what)} were left out. "
        "Run `orgtf plan` or read the full per-account logs for everything.\n"
    )
