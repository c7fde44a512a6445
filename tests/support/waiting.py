"""Waiting for something observable instead of sleeping: a condition, a process, a log line.

Each wait polls at a short interval until its condition holds and fails with what it waited
for once its deadline passes; none assumes that something happened after a fixed time.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

POLL_INTERVAL = 0.05


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 90) -> None:
    """Block until ``condition()`` is true; fail naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {timeout}s waiting for {what}")
        time.sleep(POLL_INTERVAL)


def processes_in(directory: Path, needle: str = "") -> list[int]:
    """Processes working inside ``directory`` whose command line contains ``needle`` (Linux)."""
    found = []
    root = directory.resolve()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cwd = (entry / "cwd").resolve()
            argv = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if cwd.is_relative_to(root) and needle in argv:
            found.append(int(entry.name))
    return found


def wait_for_process(directory: Path, needle: str, timeout: float = 90) -> None:
    """Block until a process matching ``needle`` works inside ``directory``."""
    what = f"a process with {needle!r} in {directory}"
    wait_until(lambda: bool(processes_in(directory, needle)), what, timeout)


def process_alive(pid: int) -> bool:
    """Whether ``pid`` runs: it exists and is not a zombie waiting to be reaped."""
    try:
        os.kill(pid, 0)
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (ProcessLookupError, FileNotFoundError):
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def wait_for_exit(pid: int, timeout: float = 30) -> None:
    """Block until process ``pid`` has exited (a zombie counts: it runs no more)."""
    wait_until(lambda: not process_alive(pid), f"process {pid} to exit", timeout)


class LogWatch:
    """Lines appended to a log after this watch was made (earlier runs' lines are ignored)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.start = path.stat().st_size if path.exists() else 0

    def new_text(self) -> str:
        """What was appended since the watch was made."""
        if not self.path.exists():
            return ""
        with self.path.open("rb") as log:
            log.seek(self.start)
            return log.read().decode(errors="replace")

    def wait_for(self, text: str, timeout: float = 90) -> None:
        """Block until ``text`` appears in what was appended."""
        wait_until(lambda: text in self.new_text(), f"{text!r} in {self.path}", timeout)
