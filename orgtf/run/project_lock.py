"""One writer per project: commands that write plans or state hold the project lock.

The lock is an advisory ``flock`` on ``orgtf.lock`` in the target's state directory (so the
sandbox and real AWS have one each). The kernel releases it when its holder exits, however it
exits: a lock whose holder is gone is never in the way. While held, the file names the holder
(pid, host, command, start time) for the error a second command prints.
"""

from __future__ import annotations

import fcntl
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import pydantic

from orgtf.errors import Interrupted, OrgtfError
from orgtf.files import Record

LOCK_FILE = "orgtf.lock"
_POLL_SECONDS = 0.2


class LockHolder(Record):
    """Who holds the project lock."""

    pid: int
    host: str
    command: str
    started_at: str


class ProjectLockedError(OrgtfError):
    """Another orgtf command holds the project lock."""


@contextmanager
def project_lock(state_dir: Path, command: str, timeout: float) -> Iterator[None]:
    """Hold the project lock of ``state_dir`` for the ``with`` block.

    Waits up to ``timeout`` seconds for another holder; raises ProjectLockedError naming it
    after that. Ctrl-C while waiting raises Interrupted.
    """
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / LOCK_FILE
    try:
        handle = path.open("a+", encoding="utf-8")
    except OSError as exc:
        raise OrgtfError(f"cannot open the project lock {path}: {exc.strerror or exc}") from exc
    with handle:
        _acquire(handle, path, timeout)
        holder = LockHolder(
            pid=os.getpid(),
            host=socket.gethostname(),
            command=command,
            started_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        _rewrite(handle, holder.to_json())
        try:
            yield
        finally:
            _rewrite(handle, "")  # the kernel drops the lock itself when the file closes


def _acquire(handle: IO[str], path: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise ProjectLockedError(_held_by(path, timeout)) from None
        try:
            time.sleep(_POLL_SECONDS)
        except KeyboardInterrupt:
            raise Interrupted(f"interrupted while waiting for the project lock {path}") from None


def _held_by(path: Path, timeout: float) -> str:
    waited = f" after waiting {timeout:.0f}s" if timeout >= 1 else ""
    try:
        holder: LockHolder | None = LockHolder.model_validate_json(path.read_text())
    except (OSError, pydantic.ValidationError):
        holder = None  # the holder is between taking the lock and writing its name
    who = (
        f"`{holder.command}` (pid {holder.pid} on {holder.host}, since {holder.started_at})"
        if holder is not None
        else "another orgtf command"
    )
    return (
        f"{who} is running on this project{waited} (lock: {path}); wait for it to finish, "
        "or pass --lock-timeout DURATION to wait"
    )


def _rewrite(handle: IO[str], text: str) -> None:
    handle.seek(0)
    handle.truncate()
    handle.write(text)
    handle.flush()
