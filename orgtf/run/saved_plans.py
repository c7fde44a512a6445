"""Saved plans: the plan file Terraform wrote, and orgtf's record of what it was made from.

The record (``<account>.json`` beside ``<account>.tfplan``) says whose plan it is, when and
for which target it was made, the state it was made against and digests of org.yaml and the
account's rendered files, so ``apply`` can refuse a plan that no longer matches.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

from orgtf.errors import OrgtfError
from orgtf.files import Record, read_record, write_atomic
from orgtf.run.workspace import PlanSource, Workspace
from orgtf.terraform.driver import Terraform
from orgtf.terraform.errors import StalePlanError
from orgtf.terraform.plan import PlanSummary


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
    """Forget the saved plan of ``ws``: the plan file, its record and the reviewed copy."""
    ws.plan_file.unlink(missing_ok=True)
    ws.plan_meta.unlink(missing_ok=True)
    ws.reviewed_plan.unlink(missing_ok=True)


def keep_reviewed(ws: Workspace) -> str:
    """Copy the saved plan of ``ws`` to its private reviewed copy; return the copy's digest.

    Everything apply checks, and what it applies, is this copy: a plan written to the plan
    directory afterwards (another command, another org.yaml) cannot change what is applied.
    """
    try:
        content = ws.plan_file.read_bytes()
    except OSError as exc:
        raise OrgtfError(f"cannot read the saved plan {ws.plan_file}: {exc.strerror}") from exc
    ws.reviewed_plan.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(ws.reviewed_plan, content, mode=0o600)
    return hashlib.sha256(content).hexdigest()


def reviewed(ws: Workspace, digest: str | None) -> Path:
    """The reviewed copy of the plan of ``ws``, once its content is checked against ``digest``."""
    try:
        content = ws.reviewed_plan.read_bytes()
    except OSError:
        content = b""
    if digest is None or hashlib.sha256(content).hexdigest() != digest:
        raise OrgtfError(
            f"the reviewed plan of account {ws.account} ({ws.reviewed_plan}) changed or "
            "vanished after it was checked; nothing was applied there; run orgtf plan again"
        )
    return ws.reviewed_plan


def check_saved(
    ws: Workspace, record: PlanRecord, current: PlanSource, target: str, tf: Terraform
) -> PlanSummary:
    """The summary of the reviewed copy of ``ws``'s plan, once it is known to be current.

    Raises OrgtfError ("run orgtf plan again") when the plan was made from another org.yaml,
    other rendered files or another target, or against state that has changed since.
    """
    if record.config_sha256 != current.config_sha256:
        raise OrgtfError(
            f"the saved plan of account {ws.account} was made from a different org.yaml "
            f"({record.created_at}); run orgtf plan again"
        )
    if record.tree_sha256 != current.tree_sha256 or record.target != target:
        raise OrgtfError(
            f"the saved plan of account {ws.account} was made from other rendered files "
            "or another target; run orgtf plan again"
        )
    stale = OrgtfError(
        f"the state of account {ws.account} changed since its plan was made "
        f"({record.created_at}); run orgtf plan again"
    )
    # The record and the plan file must be of one plan, made against the current state.
    if tf.planned_state_serial(ws.reviewed_plan) != record.state:
        raise stale
    if tf.state_serial() != record.state:
        raise stale
    try:
        return tf.show_plan(ws.reviewed_plan)
    except StalePlanError:
        raise stale from None
