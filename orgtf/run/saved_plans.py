"""Saved plans: the plan file Terraform wrote, and orgtf's record of what it was made from.

The record (``<account>.json`` beside ``<account>.tfplan``) says whose plan it is, when and
for which target it was made, the state it was made against and digests of org.yaml and the
account's rendered files, so ``apply`` can refuse a plan that no longer matches.
"""

from __future__ import annotations

from datetime import UTC, datetime

from orgtf.files import Record, read_record, write_atomic
from orgtf.run.workspace import PlanSource, Workspace


class PlanRecord(Record):
    """What orgtf records beside a saved plan: whose it is, when, where, and what from."""

    account: str
    account_id: str
    created_at: str
    target: str
    state: str  # ``lineage:serial`` of the state the plan was made against
    config_sha256: str
    tree_sha256: str

    @property
    def source(self) -> PlanSource:
        """What the plan was made from."""
        return PlanSource(self.config_sha256, self.tree_sha256)


def new_record(ws: Workspace, target: str, state: str, source: PlanSource) -> PlanRecord:
    """The record of a plan of ``ws`` made now against ``state``, from ``source``."""
    return PlanRecord(
        account=ws.account,
        account_id=ws.account_id,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        target=target,
        state=state,
        config_sha256=source.config_sha256,
        tree_sha256=source.tree_sha256,
    )


def write_record(ws: Workspace, record: PlanRecord) -> None:
    """Keep ``record`` beside the plan file of ``ws``."""
    write_atomic(ws.plan_meta, record.to_json())


def read_saved(ws: Workspace) -> PlanRecord | None:
    """The record of the saved plan of ``ws``; None when there is no plan or no record.

    Raises DamagedFileError when the record exists but cannot be read.
    """
    if not ws.plan_file.is_file():
        return None
    return read_record(
        ws.plan_meta,
        PlanRecord,
        f"the saved plan record of account {ws.account}",
        "run orgtf plan again",
    )


def discard(ws: Workspace) -> None:
    """Forget the saved plan of ``ws``: the plan file and its record."""
    ws.plan_file.unlink(missing_ok=True)
    ws.plan_meta.unlink(missing_ok=True)
