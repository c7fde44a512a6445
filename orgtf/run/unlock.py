"""Recovering a state lock whose holder is gone: the hint a lock error carries, and
``orgtf unlock``, which releases the lock only when no run of orgtf's still holds it.

Terraform's local backend locks with the operating system, which releases the lock when
its holder dies: only remote locks (S3 with DynamoDB) outlive a killed run.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from pathlib import Path

from orgtf.errors import OrgtfError
from orgtf.run.workspace import Workspace
from orgtf.terraform import runs
from orgtf.terraform.driver import Terraform
from orgtf.terraform.errors import StateLockedError


@dataclass(frozen=True)
class Unlocked:
    """What ``unlock`` did for one account: the lock it released, or None when none was held."""

    account: str
    released: StateLockedError | None


def lock_hint(ws: Workspace, locked: StateLockedError) -> str:
    """What to do about ``locked``: wait, or release it with ``orgtf unlock`` when stale."""
    command = f"`orgtf unlock --account {ws.account}`"
    here = locked.holder.rpartition("@")[2] == socket.gethostname()
    if here and runs.live_run(ws.data_dir) is None:
        return (
            "no Terraform run of orgtf's holds it on this machine: if no other checkout or "
            f"CI runner is working on account {ws.account}, the lock is stale; release it "
            f"with {command}"
        )
    return f"wait for that run to finish, or, if it is gone, release the lock with {command}"


def unlock(ws: Workspace, tf: Terraform, backend_file: Path | None) -> Unlocked:
    """Release the state lock of ``ws`` if one is held and no run of orgtf's holds it.

    Raises OrgtfError when a Terraform run started by orgtf is still going there: it
    releases the lock itself when it finishes.
    """
    account = ws.account
    live = runs.live_run(ws.data_dir)
    if live is not None:
        raise OrgtfError(
            f"{live.command} (pid {live.pid}, started {live.started_at}) is still running "
            f"for account {account}; it releases the lock itself when it finishes (log: "
            f"{live.log}); nothing was unlocked"
        )
    tf.init_if_needed(backend_file=backend_file)
    held = tf.state_lock()
    if held is not None:
        tf.force_unlock(held.lock_id)
    return Unlocked(account, held)
