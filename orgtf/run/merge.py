"""Shard reports and their merge into the report of the whole plan.

``plan --shard K/N --format json`` writes the usual report of its accounts plus one more key,
``shard``: which shard it is, every account the N shards share out (``selected``) and the
shard's plan records whole (``orgtf.run.plan_records``). ``merge_shards`` checks that the
reports are the N shards of one selection, each once, and returns the records of every
account: formatted as usual, they give the report an unsharded plan would.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from orgtf.errors import OrgtfError
from orgtf.run.plan_records import decode_plans, encode_plans
from orgtf.run.report import report_json
from orgtf.run.results import AccountPlan
from orgtf.run.shards import Shard
from orgtf.text import plural

SHARD_KEY = "shard"


@dataclass(frozen=True)
class ShardReport:
    """One shard's report as ``report merge`` reads it."""

    source: str
    shard: Shard
    selected: tuple[str, ...]
    plans: tuple[AccountPlan, ...]


def shard_report_json(results: Sequence[AccountPlan], shard: Shard, selected: Sequence[str]) -> str:
    """The ``--format json`` report of one shard: the usual document plus the ``shard`` key."""
    document = json.loads(report_json(results))
    document[SHARD_KEY] = {
        "index": shard.index,
        "count": shard.count,
        "selected": list(selected),
        "plans": encode_plans(sorted(results, key=lambda r: r.account)),
    }
    return json.dumps(document, indent=2) + "\n"


def read_shard_report(path: Path) -> ShardReport:
    """The shard report in ``path``; OrgtfError naming the file when it is not one."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise OrgtfError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise OrgtfError(f"{path} is not a JSON report ({exc})") from exc
    meta = document.get(SHARD_KEY) if isinstance(document, dict) else None
    if not isinstance(meta, dict):
        raise OrgtfError(
            f"{path} is not a shard report: make it with `orgtf plan --shard K/N --format json`"
        )
    try:
        shard = Shard(int(meta["index"]), int(meta["count"]))
        selected = tuple(str(name) for name in meta["selected"])
    except (KeyError, TypeError, ValueError) as exc:
        raise OrgtfError(f"{path}: the shard key is damaged ({exc})") from None
    plans = decode_plans(meta.get("plans"), f"{path}: shard.plans")
    return ShardReport(str(path), shard, selected, plans)


def merge_shards(reports: Sequence[ShardReport]) -> tuple[AccountPlan, ...]:
    """Every account's plan from the shards of one plan, checked to be whole and disjoint.

    Raises OrgtfError when the reports come from different selections or shard counts, when a
    shard or an account comes twice, when an account is outside the selection, or when shards
    are missing (naming them and their accounts).
    """
    if not reports:
        raise OrgtfError("no shard reports to merge")
    first = reports[0]
    for report in reports[1:]:
        _same_plan(first, report)
    _each_once(reports)
    plans = [plan for report in reports for plan in report.plans]
    outside = sorted({p.account for p in plans} - set(first.selected))
    if outside:
        raise OrgtfError(
            f"{_accounts(outside)} in the shard reports but not among the accounts the shards "
            f"share out ({', '.join(outside)})"
        )
    missing = [a for a in first.selected if a not in {p.account for p in plans}]
    if missing:
        raise OrgtfError(_missing(reports, missing))
    return tuple(sorted(plans, key=lambda p: p.account))


def _same_plan(first: ShardReport, other: ShardReport) -> None:
    if other.shard.count != first.shard.count or other.selected != first.selected:
        raise OrgtfError(
            f"{other.source} and {first.source} are shards of different plans "
            f"(shard {other.shard} and {first.shard} of different accounts or shard counts)"
        )


def _each_once(reports: Sequence[ShardReport]) -> None:
    seen: dict[int, str] = {}
    owner: dict[str, str] = {}
    for report in reports:
        if report.shard.index in seen:
            raise OrgtfError(
                f"shard {report.shard} twice: {seen[report.shard.index]} and {report.source}"
            )
        seen[report.shard.index] = report.source
        for plan in report.plans:
            if plan.account in owner:
                raise OrgtfError(
                    f"account {plan.account} is in two shard reports: {owner[plan.account]} and "
                    f"{report.source}; shards must not overlap"
                )
            owner[plan.account] = report.source


def _missing(reports: Sequence[ShardReport], missing: list[str]) -> str:
    count = reports[0].shard.count
    have = {r.shard.index for r in reports}
    absent = [f"{i}/{count}" for i in range(1, count + 1) if i not in have]
    if len(absent) == 1:
        which = f"shard {absent[0]} is missing"
    elif absent:
        which = f"shards {', '.join(absent)} are missing"
    else:
        which = "the shard reports are incomplete"
    return (
        f"{which}: no plan of {_accounts(missing)} ({', '.join(missing)}); "
        "merge the reports of every shard"
    )


def _accounts(names: Sequence[str]) -> str:
    return plural(len(names), "account")
