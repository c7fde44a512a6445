"""``access verify``'s report as text, JSON and Markdown, byte for byte stable.

ARNs, names and statement ids come from IAM, where anyone with IAM rights may have written
them: text output makes them terminal-safe and Markdown escapes them (``orgtf.text``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict

from orgtf.access.verify import ExtraAccess, MfaDifference, MissingAccess, VerifyReport
from orgtf.text import md_code, md_escape, md_table, plural, terminal_safe, text_table

Row = list[str]


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def _extra_row(entry: ExtraAccess) -> Row:
    return [entry.principal, entry.role_arn, _yes(entry.mfa), entry.via]


def _missing_row(entry: MissingAccess) -> Row:
    return [entry.principal, entry.role_arn, entry.via, entry.reason]


def _mfa_row(entry: MfaDifference) -> Row:
    mfa = (_yes(entry.declared_mfa), _yes(entry.effective_mfa))
    return [entry.principal, entry.role_arn, *mfa, entry.via]


# (title, header, rows) of each section, in the order they are shown.
Section = tuple[str, Row, list[Row]]


def _sections(report: VerifyReport) -> list[Section]:
    return [
        (
            "Extra: effective, not in org.yaml",
            ["PRINCIPAL", "ROLE ARN", "MFA", "VIA"],
            [_extra_row(e) for e in report.extra],
        ),
        (
            "Missing: in org.yaml, not effective",
            ["PRINCIPAL", "ROLE ARN", "DECLARED BY", "WHY NOT"],
            [_missing_row(e) for e in report.missing],
        ),
        (
            "MFA differs",
            ["PRINCIPAL", "ROLE ARN", "DECLARED MFA", "EFFECTIVE MFA", "VIA"],
            [_mfa_row(e) for e in report.mfa],
        ),
    ]


def summary(report: VerifyReport) -> str:
    """``1 extra, 0 missing, 0 MFA differences`` or that effective equals declared."""
    if not report.differs:
        return (
            f"effective access equals org.yaml ({plural(report.declared, 'declared grant')}, "
            f"{plural(report.principals, 'principal')} of the master, "
            f"{plural(report.roles, 'role')} in {plural(len(report.accounts), 'account')})"
        )
    return (
        f"{len(report.extra)} extra, {len(report.missing)} missing, "
        f"{plural(len(report.mfa), 'MFA difference')}"
    )


def _not_compared(report: VerifyReport) -> str:
    return (
        f"Not compared: {', '.join(report.skipped)} (the identity IAM was read with: it "
        "assumes every account's access role)"
    )


def verify_text(report: VerifyReport) -> str:
    """The report for a terminal or a CI log."""
    where = f" in {report.source}" if report.source else ""
    lines = [f"Access in organization {report.organization}{where}, against org.yaml"]
    for title, header, rows in _sections(report):
        if rows:
            lines += ["", f"{title}:", *(f"  {line}" for line in text_table([header, *rows]))]
    if report.skipped:
        lines += ["", _not_compared(report)]
    lines += ["", f"Summary: {summary(report)}"]
    return "\n".join(terminal_safe(line) for line in lines) + "\n"


def verify_markdown(report: VerifyReport) -> str:
    """The report for an issue or a wiki page: a summary and one table per section."""
    where = f" in {md_escape(report.source)}" if report.source else ""
    lines = [f"### orgtf access verify: {md_code(report.organization)}{where}", ""]
    said = summary(report)
    lines += [f"**{md_escape(said[:1].upper() + said[1:])}**", ""]
    for title, header, rows in _sections(report):
        if rows:
            cells = (_markdown_cells(row) for row in rows)
            lines += [f"#### {md_escape(title)}", "", *md_table(header, cells), ""]
    if report.skipped:
        lines += [md_escape(_not_compared(report)), ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _markdown_cells(row: Sequence[str]) -> Row:
    """ARNs (the first two cells) as code, the rest escaped."""
    return [md_code(cell) if index < 2 else md_escape(cell) for index, cell in enumerate(row)]


def verify_json(report: VerifyReport) -> str:
    """The report as JSON with sorted keys: ``extra``, ``missing``, ``mfa`` and a summary."""
    data = {
        "organization": report.organization,
        "source": report.source,
        "accounts": list(report.accounts),
        "not_compared": list(report.skipped),
        "extra": [asdict(e) for e in report.extra],
        "missing": [asdict(e) for e in report.missing],
        "mfa": [asdict(e) for e in report.mfa],
        "summary": {
            "differs": report.differs,
            "declared": report.declared,
            "effective": report.effective,
            "principals": report.principals,
            "roles": report.roles,
        },
    }
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


_FORMATTERS: Mapping[str, Callable[[VerifyReport], str]] = {
    "text": verify_text,
    "json": verify_json,
    "markdown": verify_markdown,
}


def format_verify(report: VerifyReport, fmt: str) -> str:
    """The report in ``fmt``: text, json or markdown."""
    return _FORMATTERS[fmt](report)
