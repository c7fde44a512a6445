"""Shard plans side by side on one project, and everything else kept away from them.

In CI each shard runs on a runner of its own, so the project lock (``orgtf.run.project_lock``)
is per runner. On one machine, shards of one plan may run at once, because what each one
writes is its own: the accounts of the shards of one selection are disjoint, and each
account has its own data directory, plan file, log and state. What they share, the rendered
tree and the provider cache, is written under the project lock before the shard lets it go
(``join_shards`` is called while holding it). So:

- a shard run holds ``orgtf-shards.lock`` shared, and ``orgtf-shard-K-of-N.lock`` so the
  same shard does not run twice;
- the first shard run to join records the plan it belongs to (shard count, the selected
  accounts, org.yaml's digest); a run of another plan is refused while shards are running,
  as its accounts could overlap theirs;
- ``plan`` without ``--shard`` and ``apply`` hold the shards lock exclusively (after the
  project lock), so they wait for running shards and shards wait for them.

A run marker in each account's data directory (``orgtf.terraform.runs``) and Terraform's
state lock stay the last guards: Terraform never runs twice in one account's directory.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO

from orgtf.errors import Interrupted, OrgtfError
from orgtf.run.shards import Shard

SHARDS_LOCK = "orgtf-shards.lock"
_POLL_SECONDS = 0.2


class ShardsRunningError(OrgtfError):
    """Shard plans hold the project, or another shard run stands in the way."""


def plan_signature(shard: Shard, selected: Sequence[str], config: bytes) -> str:
    """What the shards of one plan share: their count, their accounts and org.yaml."""
    digest = hashlib.sha256(config).hexdigest()
    return json.dumps({"count": shard.count, "selected": list(selected), "config": digest})


@contextmanager
def join_shards(state_dir: Path, shard: Shard, signature: str) -> Iterator[None]:
    """Hold the shard locks of ``shard`` for the ``with`` block; call it while holding the
    project lock, which the block may then release.

    Raises ShardsRunningError when shards of another plan are running, or this very shard.
    """
    with ExitStack() as stack:
        handle = stack.enter_context(_open(state_dir / SHARDS_LOCK))
        if _try(handle, fcntl.LOCK_EX):
            _rewrite(handle, signature)  # the first shard: none runs, and no one else can
        elif _recorded(handle) != signature:
            raise ShardsRunningError(
                f"shards of another plan are running on this project (lock: {handle.name}); "
                "their accounts may overlap this shard's: wait for them to finish"
            )
        if not _try(handle, fcntl.LOCK_SH):  # under the project lock, only a bug could block it
            raise ShardsRunningError(f"an orgtf plan or apply holds {handle.name}")
        own_lock = state_dir / f"orgtf-shard-{shard.index}-of-{shard.count}.lock"
        own = stack.enter_context(_open(own_lock))
        if not _try(own, fcntl.LOCK_EX):
            raise ShardsRunningError(f"shard {shard} is already running on this project")
        yield


@contextmanager
def no_shards_running(state_dir: Path, command: str, timeout: float) -> Iterator[None]:
    """Hold the shards lock exclusively for the block: no shard plan runs meanwhile.

    Waits up to ``timeout`` seconds for running shards; raises ShardsRunningError after that.
    """
    with _open(state_dir / SHARDS_LOCK) as handle:
        deadline = time.monotonic() + timeout
        while not _try(handle, fcntl.LOCK_EX):
            if time.monotonic() >= deadline:
                raise ShardsRunningError(
                    f"`orgtf plan --shard` runs are planning on this project (lock: "
                    f"{handle.name}); {command} waits for them: run it again once they "
                    "finish, or pass --lock-timeout DURATION to wait"
                )
            try:
                time.sleep(_POLL_SECONDS)
            except KeyboardInterrupt:
                raise Interrupted("interrupted while waiting for shard plans") from None
        yield


@contextmanager
def _open(path: Path) -> Iterator[IO[str]]:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        handle = path.open("a+", encoding="utf-8")
    except OSError as exc:
        raise OrgtfError(f"cannot open the lock {path}: {exc.strerror or exc}") from exc
    with handle:  # the kernel releases the lock when the file closes
        yield handle


def _try(handle: IO[str], mode: int) -> bool:
    try:
        fcntl.flock(handle.fileno(), mode | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _recorded(handle: IO[str]) -> str:
    handle.seek(0)
    return handle.read()


def _rewrite(handle: IO[str], text: str) -> None:
    handle.seek(0)
    handle.truncate()
    handle.write(text)
    handle.flush()
