"""Bringing what org.yaml describes and AWS already holds into each account's state.

Per account, in parallel: render, then with Terraform 1.5 and later one plan with an
``import`` block for every object the plan would create (written to a file of orgtf's own in
the account's root and removed afterwards), applied only when it does nothing but import;
otherwise, and on older Terraform, ``terraform import`` object by object
(``orgtf.run.adopt``), which never changes AWS either. A last plan says what still differs.
Accounts already imported import nothing more, so an interrupted import can be run again.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from orgtf.errors import OrgtfError
from orgtf.render.sync import write_tree
from orgtf.run.adopt import Adopted, adopt, import_id
from orgtf.run.engine import Engine
from orgtf.run.workspace import Workspace
from orgtf.terraform.driver import Terraform
from orgtf.terraform.plan import PlanSummary, ResourceChange

IMPORT_FILE = "orgtf-import.tf.json"  # removed again before the import ends
IMPORT_BLOCKS_SINCE = (1, 5)
ROUNDS = 4  # policies, then their attachments; one more to see nothing is left
STATE_ONLY = frozenset({"force_destroy", "force_detach_policies"})


@dataclass(frozen=True)
class AccountImport:
    """What the import did in one account, and what its plan shows afterwards."""

    account: str
    imported: tuple[Adopted, ...]
    method: str  # "import blocks" or "terraform import"
    add: int = 0
    change: int = 0
    destroy: int = 0
    error: str | None = None
    fallback: str | None = None  # why import blocks gave way to terraform import, if they did

    @property
    def clean(self) -> bool:
        """Whether the plan after the import shows no changes."""
        return self.error is None and not (self.add or self.change or self.destroy)


def import_accounts(engine: Engine, accounts: Sequence[str]) -> list[AccountImport]:
    """Import every account in ``accounts``; a failed account is reported, not raised."""
    write_tree(engine.org, engine.target.tree_dir)
    workspaces = engine.workspaces(accounts)
    engine.install_providers(workspaces)
    return engine.run_each(workspaces, lambda ws: _import_one(engine, ws), lambda ws: ws.account)


def _import_one(engine: Engine, ws: Workspace) -> AccountImport:
    tf = engine.terraform(ws)
    backend = engine.target.backend_file()
    blocks = _version(engine.target.terraform.version) >= IMPORT_BLOCKS_SINCE
    (ws.workdir / IMPORT_FILE).unlink(missing_ok=True)  # left by an interrupted import
    try:
        tf.init_if_needed(backend_file=backend)
        fallback: str | None = None
        imported: list[Adopted] | str = _with_import_blocks(ws, tf) if blocks else ""
        method = "import blocks"
        if isinstance(imported, str):
            fallback = imported or None
            imported, method = adopt(ws, tf, backend), "terraform import"
        summary = _settle(ws, tf)
    except OrgtfError as exc:
        return AccountImport(ws.account, (), "", error=str(exc).splitlines()[0])
    return AccountImport(
        ws.account,
        tuple(imported),
        method,
        summary.add,
        summary.change,
        summary.destroy,
        fallback=fallback,
    )


def _settle(ws: Workspace, tf: Terraform) -> PlanSummary:
    """Plan; when the plan only records what AWS does not hold, apply it; the plan after.

    An imported object's settings that live only in Terraform's state (``force_destroy``,
    ``force_detach_policies``: the provider sets them to false on import), tags going from
    null to none, and the root's outputs: applying those calls nothing in AWS, and leaves a
    first ``orgtf plan`` that shows no changes.
    """
    plan_file = ws.data_dir / "import-check.tfplan"
    try:
        tf.plan_summary(plan_file)
        summary = tf.show_plan(plan_file)
        if all(_state_only(change) for change in summary.changes):
            tf.apply_plan(plan_file)
            tf.plan_summary(plan_file)
            summary = tf.show_plan(plan_file)
        return summary
    finally:
        plan_file.unlink(missing_ok=True)


def _state_only(change: ResourceChange) -> bool:
    if change.actions != ("update",) or not change.attributes:
        return False
    return all(
        item.name in STATE_ONLY or (item.name == "tags" and not item.before and not item.after)
        for item in change.attributes
    )


def _with_import_blocks(ws: Workspace, tf: Terraform) -> list[Adopted] | str:
    """Import with import blocks, one plan and apply; why not, when that would do more.

    Blocks are added in rounds: an attachment's ID names its policy's ARN, which the plan
    knows only once the policy is imported in it.
    """
    plan_file = ws.data_dir / "import.tfplan"
    blocks_file = ws.workdir / IMPORT_FILE
    wanted: list[Adopted] = []
    try:
        for _ in range(ROUNDS):
            try:
                tf.plan_summary(plan_file)
            except OrgtfError as exc:  # e.g. an object that does not exist: one by one instead
                return f"the plan with import blocks failed: {exc.message.splitlines()[0]}"
            changes = tf.show_plan(plan_file).changes
            known = {item.address for item in wanted}
            found = [
                Adopted(change.address, object_id)
                for change in changes
                if change.actions == ("create",)
                and change.address not in known
                and (object_id := import_id(change, ws.account_id)) is not None
            ]
            if not found:
                break
            wanted += found
            blocks_file.write_text(_blocks_json(wanted))
        if not wanted:
            return []
        changing = [c.address for c in changes if not _state_only(c)]
        if changing:  # it would change AWS: import one by one instead, which never does
            return f"the plan with import blocks would also change {', '.join(changing[:3])}"
        tf.apply_plan(plan_file)
        return wanted
    finally:
        blocks_file.unlink(missing_ok=True)
        plan_file.unlink(missing_ok=True)


def _blocks_json(objects: Sequence[Adopted]) -> str:
    """Import blocks in Terraform's JSON syntax: no HCL escaping of IDs to get wrong."""
    blocks = [{"to": item.address, "id": item.object_id} for item in objects]
    return json.dumps({"import": blocks}, indent=2, sort_keys=True) + "\n"


def _version(text: str) -> tuple[int, int]:
    parts = text.split(".")
    try:
        return int(parts[0]), int(parts[1])
    except (IndexError, ValueError):
        return (0, 0)
