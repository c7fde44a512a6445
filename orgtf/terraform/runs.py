"""Terraform runs that outlive the orgtf that started them.

Terraform runs in its own session and writes to its log file itself, so when orgtf dies (a
killed CI job, a closed terminal) Terraform finishes its command, writes its state and
releases its lock. While it runs, a marker in the account's data directory names it; the next
orgtf run finds a marker whose process is still alive and waits for it, or says so, instead
of colliding with it. A marker whose process is gone is stale and is removed.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from orgtf.errors import Interrupted, OrgtfError
from orgtf.files import Record, read_record, write_atomic

RUN_FILE = "orgtf-run.json"
_POLL_SECONDS = 0.2


class RunMarker(Record):
    """A Terraform command started by orgtf in one data directory."""

    pid: int
    binary: str
    command: str
    workdir: str
    log: str
    started_at: str
    host: str
    orgtf_pid: int


class EarlierRunError(OrgtfError):
    """A Terraform command started by an earlier orgtf run is still going in this directory."""

    def __init__(self, marker: RunMarker, waited: float) -> None:
        self.marker = marker
        how_long = f"after waiting {waited:.0f}s " if waited >= 1 else ""
        super().__init__(
            f"{marker.command} (pid {marker.pid}), started by an earlier orgtf run at "
            f"{marker.started_at}, is still running in {marker.workdir} {how_long}"
            f"(log: {marker.log}); it finishes on its own: run orgtf again once it has, or "
            "pass --lock-timeout DURATION to wait for it"
        )


def mark(data_dir: Path, pid: int, argv: list[str], workdir: Path, log: Path) -> None:
    """Record that ``argv`` runs as ``pid`` for ``data_dir``."""
    data_dir.mkdir(parents=True, exist_ok=True)
    marker = RunMarker(
        pid=pid,
        binary=argv[0],
        command=f"terraform {argv[1]}",
        workdir=str(workdir),
        log=str(log),
        started_at=datetime.now(UTC).isoformat(timespec="seconds"),
        host=socket.gethostname(),
        orgtf_pid=os.getpid(),
    )
    write_atomic(data_dir / RUN_FILE, marker.to_json())


def clear(data_dir: Path, pid: int) -> None:
    """Forget the marker of ``pid`` (a marker of another run is left alone)."""
    marker = _read(data_dir)
    if marker is not None and marker.pid == pid:
        (data_dir / RUN_FILE).unlink(missing_ok=True)


def live_run(data_dir: Path) -> RunMarker | None:
    """The earlier run still going in ``data_dir``, or None; a stale marker is removed.

    Runs this process started itself are not earlier runs: they are its own to wait for.
    """
    marker = _read(data_dir)
    if marker is None or marker.orgtf_pid == os.getpid():
        return None
    if marker.host == socket.gethostname() and _alive(marker):
        return marker
    (data_dir / RUN_FILE).unlink(missing_ok=True)
    return None


def wait_for_earlier_run(
    data_dir: Path, timeout: float, interrupted: Callable[[], bool] | None = None
) -> None:
    """Return once no earlier run is going in ``data_dir``, waiting up to ``timeout`` seconds.

    Raises EarlierRunError when one still runs after that, and Interrupted when
    ``interrupted`` says the waiting should stop.
    """
    started = time.monotonic()
    while (marker := live_run(data_dir)) is not None:
        waited = time.monotonic() - started
        if waited >= timeout:
            raise EarlierRunError(marker, waited)
        if interrupted is not None and interrupted():
            raise Interrupted(f"interrupted while waiting for {marker.command} (pid {marker.pid})")
        time.sleep(_POLL_SECONDS)


def _read(data_dir: Path) -> RunMarker | None:
    return read_record(
        data_dir / RUN_FILE,
        RunMarker,
        "the record of a running Terraform command",
        "remove it once no Terraform runs for this account",
    )


def _alive(marker: RunMarker) -> bool:
    """Whether the marker's pid still runs its Terraform (not a reused pid, not a zombie)."""
    try:
        os.kill(marker.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return False  # another user's process reusing the pid
    proc = Path(f"/proc/{marker.pid}")
    if not proc.is_dir():
        return True  # no /proc (macOS): the pid is all there is to go on
    try:
        stat = (proc / "stat").read_text(errors="replace")
        argv0 = (proc / "cmdline").read_bytes().split(b"\0")[0].decode(errors="replace")
    except OSError:
        return False
    return stat.rpartition(")")[2].strip()[:1] != "Z" and argv0 == marker.binary
