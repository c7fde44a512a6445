"""Finding the processes a run started, by their working directory (Linux /proc)."""

from __future__ import annotations

import time
from pathlib import Path


def processes_in(directory: Path, needle: str = "") -> list[int]:
    """Processes working inside ``directory`` whose command line contains ``needle``."""
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
    deadline = time.monotonic() + timeout
    while not processes_in(directory, needle):
        if time.monotonic() > deadline:
            raise AssertionError(f"no process with {needle!r} started in {directory}")
        time.sleep(0.05)
