"""Apply results: a short text summary for people, JSON for machines (``apply --format``)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Literal, TypeAlias, get_args

from orgtf.run.results import ApplyOutcome, ApplyStatus
from orgtf.text import change_counts, terminal_safe, text_table

APPLY_STATUSES: tuple[ApplyStatus, ...] = get_args(ApplyStatus)
ApplyFormat: TypeAlias = Literal["text", "json"]


def format_apply(outcomes: Sequence[ApplyOutcome], fmt: ApplyFormat) -> str:
    """The apply outcome in ``fmt``: the text summary, or ``apply_json``."""
    return apply_json(outcomes) if fmt == "json" else format_apply_summary(outcomes)


def apply_json(outcomes: Sequence[ApplyOutcome]) -> str:
    """``apply --format json``: ``{"accounts": [...], "summary": {STATUS: [names]}}``.

    Accounts in the order they were applied; counts are those of the applied plan.
    """
    accounts = [
        {
            "account": o.account,
            "account_id": o.account_id,
            "status": o.status,
            "add": o.summary.add if o.summary else 0,
            "change": o.summary.change if o.summary else 0,
            "destroy": o.summary.destroy if o.summary else 0,
            "error": o.error,
            "log": str(o.log_path) if o.log_path else None,
        }
        for o in outcomes
    ]
    summary = {s: [o.account for o in outcomes if o.status == s] for s in APPLY_STATUSES}
    return json.dumps({"accounts": accounts, "summary": summary}, indent=2) + "\n"


def format_apply_summary(outcomes: Sequence[ApplyOutcome]) -> str:
    """One line per account (counts for those applied, then any error), then the accounts by
    status; ends with a newline."""
    rows = text_table([o.account, o.status + _applied_counts(o)] for o in outcomes)
    lines = ["Apply summary:"]
    for row, o in zip(rows, outcomes, strict=True):
        lines.append(f"  {row}")
        if o.error:
            lines.extend(f"      {terminal_safe(line)}" for line in o.error.splitlines())
    by_status = {s: [o.account for o in outcomes if o.status == s] for s in APPLY_STATUSES}
    listed = "; ".join(f"{s}: {', '.join(n) or '-'}" for s, n in by_status.items())
    return "\n".join([*lines, f"  {terminal_safe(listed)}"]) + "\n"


def _applied_counts(outcome: ApplyOutcome) -> str:
    summary = outcome.summary
    if summary is None or outcome.status != "applied":
        return ""
    return f" ({change_counts(summary.add, summary.change, summary.destroy)})"
