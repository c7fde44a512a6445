"""Per-account orchestration: ordering, a bounded pool, isolation, and interruption.

Each account runs in its own workspace (root, data dir, plan file, log). Providers are
installed into the shared cache by one ``init`` before the fan-out, so concurrent inits only
read it. Ctrl-C and SIGTERM are forwarded once to every running Terraform, which then stops
cleanly and releases its lock; the run ends with Interrupted (exit 130).
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field, replace
from functools import cached_property, partial
from pathlib import Path
from typing import TypeVar

from orgtf.config import Organization
from orgtf.errors import Interrupted, OrgtfError
from orgtf.process import Supervisor
from orgtf.render.sync import RenderResult, write_tree
from orgtf.run import saved_plans
from orgtf.run.pool import RunInterrupted, run_pool
from orgtf.run.progress import Progress
from orgtf.run.results import AccountPlan, AccountStatus, ApplyOutcome
from orgtf.run.targets import Target
from orgtf.run.unlock import lock_hint
from orgtf.run.workspace import PlanSource, Workspace, fingerprints
from orgtf.terraform.driver import Terraform
from orgtf.terraform.errors import ResourceExistsError, StateLockedError
from orgtf.terraform.plan import PlanSummary
from orgtf.text import change_counts

T = TypeVar("T")
I = TypeVar("I")  # noqa: E741 - the item type
LOCK_FILE = ".terraform.lock.hcl"


def default_parallelism(accounts: int) -> int:
    """Terraform mostly waits on providers and APIs: two runs per core, at most one per account."""
    return max(1, min(accounts, 2 * (os.cpu_count() or 1), 16))


@dataclass(frozen=True)
class PlanRun:
    """What ``Engine.plan`` did: each account's plan, in workspace order, and the render."""

    results: tuple[AccountPlan, ...]
    rendered: RenderResult


@dataclass
class Engine:
    """Runs Terraform for the accounts of one organization against one target."""

    org: Organization
    target: Target
    parallelism: int
    supervisor: Supervisor

    plan_dir: Path | None = None
    lock_timeout: float = 0.0  # seconds to wait for state locks and earlier runs
    # The digest of each account's reviewed plan: the copy apply hands to Terraform.
    _reviewed: dict[str, str] = field(default_factory=dict, init=False, repr=False)

    @cached_property
    def _fingerprints(self) -> dict[str, PlanSource]:
        """What saved plans are made from, per account (rendered once per command)."""
        return fingerprints(self.org, self.target.tree_dir)

    def workspaces(self, accounts: Sequence[str]) -> list[Workspace]:
        """The workspaces of ``accounts``, in the given order."""
        return [self.target.workspace(self.org, a, self.plan_dir) for a in accounts]

    def terraform(self, ws: Workspace) -> Terraform:
        """The driver of ``ws``, stopped by this engine's supervisor."""
        driver = self.target.terraform_for(ws)
        return replace(driver, supervisor=self.supervisor, lock_timeout=self.lock_timeout)

    # -- plan -------------------------------------------------------------------------------

    def plan(self, workspaces: Sequence[Workspace], progress: Progress) -> PlanRun:
        """Render if stale, init where needed (providers first), then plan every account;
        returns the plans in the order of ``workspaces`` and what the render did."""
        rendered = write_tree(self.org, self.target.tree_dir)
        self.install_providers(workspaces, progress)
        plan_one = partial(self._plan_one, progress=progress)
        return PlanRun(tuple(self.run_each(workspaces, plan_one, _ws_label)), rendered)

    def install_providers(
        self, workspaces: Sequence[Workspace], progress: Progress | None = None
    ) -> None:
        """Install providers once, then give every pending account the same lock file.

        With matching checksums in its lock file, each later ``init`` links the providers from
        the shared cache instead of installing them again: concurrent installs into one cache
        race (a known Terraform and Terragrunt problem).
        """
        backend = self.target.backend_file()
        pending = [ws for ws in workspaces if self.terraform(ws).needs_init(backend_file=backend)]
        if not pending:
            return
        first = pending[0]
        if progress is not None:
            progress.step(first.account, "init")
        with suppress(OrgtfError):  # reported by that account's own run below
            self.terraform(first).init(backend_file=backend)
        lock = first.workdir / LOCK_FILE
        if lock.is_file():
            for ws in pending[1:]:
                if not (ws.workdir / LOCK_FILE).exists():
                    shutil.copyfile(lock, ws.workdir / LOCK_FILE)

    def _plan_one(self, ws: Workspace, progress: Progress) -> AccountPlan:
        tf = self.terraform(ws)
        protected = self.org.account(ws.account).protected
        try:
            progress.step(ws.account, "init")
            tf.init_if_needed(backend_file=self.target.backend_file())
            progress.step(ws.account, "plan")
            ws.plan_file.parent.mkdir(parents=True, exist_ok=True)
            ws.plan_meta.unlink(missing_ok=True)
            changes, summary = tf.plan_summary(ws.plan_file)
            if summary.updates_anything:  # before/after values: only show -json has them
                summary = tf.show_plan(ws.plan_file)
            state = tf.planned_state_serial(ws.plan_file)
        except Interrupted:
            raise
        except OrgtfError as exc:
            ws.plan_file.unlink(missing_ok=True)
            result = AccountPlan(
                ws.account, ws.account_id, "error", None, _reason(ws, exc), tf.log_path, protected
            )
            progress.done(ws.account, "error")
            return result
        self._record_plan(ws, state)
        self._reviewed[ws.account] = saved_plans.keep_reviewed(ws)
        status: AccountStatus = "changes" if changes else "no-changes"
        progress.done(ws.account, _plan_outcome(status, summary))
        return AccountPlan(ws.account, ws.account_id, status, summary, None, tf.log_path, protected)

    def _record_plan(self, ws: Workspace, state: str) -> None:
        source = self._fingerprints[ws.account]
        saved_plans.write_record(ws, saved_plans.new_record(ws, self.target.kind, state, source))

    # -- saved plans ------------------------------------------------------------------------

    def saved_plans(self, workspaces: Sequence[Workspace]) -> dict[str, AccountPlan | None]:
        """``saved_plan`` of every workspace, read in parallel, by account."""
        plans = self.run_each(workspaces, self.saved_plan, _ws_label)
        return {ws.account: plan for ws, plan in zip(workspaces, plans, strict=True)}

    def saved_plan(self, ws: Workspace) -> AccountPlan | None:
        """The saved plan of ``ws`` when it is still valid; None when there is none.

        Raises OrgtfError when a plan exists but was made from a different org.yaml or tree,
        or its record (``ws.plan_meta``) cannot be read.
        """
        record = saved_plans.read_saved(ws)
        if record is None:
            return None
        digest = saved_plans.keep_reviewed(ws)  # checked, and later applied, from this copy
        tf = self.terraform(ws)
        tf.init_if_needed(backend_file=self.target.backend_file())
        current = self._fingerprints[ws.account]
        summary = saved_plans.check_saved(ws, record, current, self.target.kind, tf)
        self._reviewed[ws.account] = digest
        status: AccountStatus = "changes" if summary.has_changes else "no-changes"
        protected = self.org.account(ws.account).protected
        return AccountPlan(ws.account, ws.account_id, status, summary, None, tf.log_path, protected)

    # -- apply ------------------------------------------------------------------------------

    def apply(
        self, plans: Sequence[AccountPlan], fail_fast: bool, progress: Progress
    ) -> list[ApplyOutcome]:
        """Apply saved plans: child accounts first (in parallel), then the master account."""
        by_name = {ws.account: ws for ws in self.workspaces([p.account for p in plans])}
        children = [p for p in plans if p.account != self.org.master_name]
        master = [p for p in plans if p.account == self.org.master_name]
        stop = threading.Event()

        def run(plan: AccountPlan) -> ApplyOutcome:
            return self._apply_one(by_name[plan.account], plan, stop, fail_fast, progress)

        try:
            outcomes = self.run_each(children, run, _plan_label)
        except RunInterrupted as stopped:  # the master account did not start either
            raise RunInterrupted([*stopped.unfinished, *(p.account for p in master)]) from None
        if master:
            outcomes += self.run_each(master, run, _plan_label)
        return outcomes

    def _apply_one(
        self,
        ws: Workspace,
        plan: AccountPlan,
        stop: threading.Event,
        fail_fast: bool,
        progress: Progress,
    ) -> ApplyOutcome:
        base = ApplyOutcome(ws.account, ws.account_id, "skipped", plan.summary)
        if plan.status == "error":
            progress.done(ws.account, "failed (plan)")
            if fail_fast:
                stop.set()
            return replace(base, status="failed", error=plan.error, log_path=plan.log_path)
        if plan.status == "no-changes":
            saved_plans.discard(ws)
            progress.done(ws.account, "no changes")
            return replace(base, status="no-changes")
        if stop.is_set():
            progress.done(ws.account, "skipped")
            return base
        tf = self.terraform(ws)
        try:
            progress.step(ws.account, "apply")
            tf.apply_plan(saved_plans.reviewed(ws, self._reviewed.get(ws.account)))
        except Interrupted:
            raise
        except OrgtfError as exc:
            if fail_fast:
                stop.set()
            progress.done(ws.account, "failed")
            return replace(base, status="failed", error=_reason(ws, exc), log_path=tf.log_path)
        finally:
            saved_plans.discard(ws)
        progress.done(ws.account, "applied")
        return replace(base, status="applied")

    def discard_plans(self, accounts: Sequence[str]) -> None:
        """Forget the saved plans of ``accounts`` (e.g. when their apply was declined)."""
        for ws in self.workspaces(accounts):
            saved_plans.discard(ws)

    # -- the pool ---------------------------------------------------------------------------

    def run_each(
        self, items: Sequence[I], work: Callable[[I], T], label: Callable[[I], str]
    ) -> list[T]:
        """``work`` over ``items`` in this engine's bounded, interruptible pool; ``label``
        names an item (its account) when an interruption leaves it unfinished."""
        return run_pool(items, work, self.parallelism, self.supervisor, label)


def _reason(ws: Workspace, exc: OrgtfError) -> str:
    """Why an account failed; a held state lock says what to do about it."""
    if isinstance(exc, StateLockedError):
        return f"{exc.message}\n  {lock_hint(ws, exc)}"
    if isinstance(exc, ResourceExistsError):
        return (
            f"{exc.message}\n  they were made outside this state (by hand, or by an apply "
            f"killed before it recorded them): adopt them with `orgtf import --account "
            f"{ws.account}`, then run orgtf plan"
        )
    return exc.message


def _ws_label(ws: Workspace) -> str:
    return ws.account


def _plan_label(plan: AccountPlan) -> str:
    return plan.account


def _plan_outcome(status: AccountStatus, summary: PlanSummary) -> str:
    if status == "no-changes":
        return "no changes"
    outputs = "" if summary.changes else " (outputs only)"
    return change_counts(summary.add, summary.change, summary.destroy) + outputs


def check_protected(org: Organization, plans: Sequence[AccountPlan], allow_destroy: bool) -> None:
    """Refuse, before anything is applied, deletes or replacements in protected accounts."""
    if allow_destroy:
        return
    refused = [
        f"  {plan.account}: " + ", ".join(_destroyed(plan.summary))
        for plan in plans
        if plan.summary is not None
        and plan.summary.destroys_anything
        and org.account(plan.account).protected
    ]
    if refused:
        raise OrgtfError(
            "refusing to delete or replace resources in protected accounts (nothing was "
            "applied); review and rerun with --allow-destroy:\n" + "\n".join(refused)
        )


def _destroyed(summary: PlanSummary) -> list[str]:
    return [c.display_address for c in summary.changes if c.kind in ("delete", "replace")]
