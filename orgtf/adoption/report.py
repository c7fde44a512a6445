"""What ``orgtf import`` tells its user: what it wrote, imported and left unmanaged."""

from __future__ import annotations

import json
from dataclasses import dataclass

from orgtf.adoption.found import Unmanaged
from orgtf.adoption.state import AccountImport
from orgtf.text import change_counts, plural


@dataclass(frozen=True)
class ImportReport:
    """The whole outcome: org.yaml written or kept, each account, what stays unmanaged."""

    config: str  # the org.yaml path
    written: bool
    where: str
    accounts: tuple[AccountImport, ...]
    unmanaged: tuple[Unmanaged, ...]
    unread: tuple[tuple[str, str], ...]  # (account, why)
    read_seconds: float
    import_seconds: float

    @property
    def ok(self) -> bool:
        """Every account read and imported (its plan may still show changes)."""
        return not self.unread and all(a.error is None for a in self.accounts)


def import_text(report: ImportReport) -> str:
    """The report for a terminal."""
    lines = []
    if report.written:
        lines.append(f"wrote {report.config} from {report.where} in {report.read_seconds:.1f} s")
    for account, why in report.unread:
        lines.append(f"account {account}: not read: {why}")
    if report.unmanaged:
        lines.append(f"left unmanaged ({plural(len(report.unmanaged), 'object')}, unchanged):")
        lines += [f"  {u.account}: {u.kind} {u.name}: {u.reason}" for u in report.unmanaged]
    for item in report.accounts:
        lines.append(_account_line(item))
    clean = [a for a in report.accounts if a.clean]
    lines.append(
        f"{len(clean)} of {plural(len(report.accounts), 'account')} imported with a clean plan "
        f"in {report.import_seconds:.1f} s; nothing was changed in AWS"
    )
    return "\n".join(lines)


def _account_line(item: AccountImport) -> str:
    if item.error is not None:
        return f"account {item.account}: failed: {item.error}"
    done = f"account {item.account}: {plural(len(item.imported), 'object')} imported"
    if item.imported:
        done += f" ({item.method})"
    if item.fallback:
        done += f" [{item.fallback}]"
    if item.clean:
        return done + "; plan: no changes"
    counts = change_counts(item.add, item.change, item.destroy)
    return done + f"; plan: {counts} still differ from org.yaml (orgtf plan shows them)"


def import_json(report: ImportReport) -> str:
    """The report as JSON: config, written, accounts, unmanaged, unread, seconds."""
    return json.dumps(
        {
            "config": report.config,
            "written": report.written,
            "source": report.where,
            "accounts": [_account_json(a) for a in report.accounts],
            "unmanaged": [u.as_json() for u in report.unmanaged],
            "unread": [{"account": a, "reason": why} for a, why in report.unread],
            "read_seconds": round(report.read_seconds, 3),
            "import_seconds": round(report.import_seconds, 3),
        },
        indent=2,
        sort_keys=True,
    )


def _account_json(item: AccountImport) -> dict[str, object]:
    return {
        "account": item.account,
        "imported": [{"address": i.address, "id": i.object_id} for i in item.imported],
        "method": item.method,
        "plan": {"add": item.add, "change": item.change, "destroy": item.destroy},
        "clean": item.clean,
        "error": item.error,
        "fallback": item.fallback,
    }
