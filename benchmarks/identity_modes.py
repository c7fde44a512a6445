"""Plan and apply of the example organization in both identity modes, in the sandbox.

Run: .venv/bin/python benchmarks/identity_modes.py

The repository's example org.yaml, applied as it is (``identity: iam_users``) and, in a fresh
sandbox of its own, delivered through IAM Identity Center (``identity: identity_center``, an
access portal URL and an email per user; the example's require_mfa settings then only warn).
For each: the wall time of ``orgtf plan`` before anything exists, of ``orgtf apply --all
--yes`` and of the clean plan after it, each as a user's shell starts it, with the CPU time
of those processes and the load average (on a shared machine the wall time says more about
the neighbours).
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from orgtf.sandbox.runtime import stop_sandbox

EXAMPLE = Path(__file__).resolve().parents[1] / "org.yaml"
START_URL = "https://d-1234567890.awsapps.com/start"


def identity_center_text() -> str:
    """The example org.yaml delivered through Identity Center."""
    data = yaml.safe_load(EXAMPLE.read_text())
    data["organization"].update(identity="identity_center", sso_start_url=START_URL)
    for name, user in data["users"].items():
        user["email"] = f"{name}@example.com"
    return yaml.safe_dump(data, sort_keys=False)


def timed(project: Path, *argv: str) -> tuple[float, float, int]:
    """Wall and CPU seconds, and the exit code, of one orgtf command as a new process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    clock = time.monotonic()
    command = [sys.executable, "-m", "orgtf", "--sandbox", "--config", str(project / "org.yaml")]
    done = subprocess.run([*command, *argv], capture_output=True, text=True)
    wall = time.monotonic() - clock
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 2):
        raise SystemExit(f"orgtf {' '.join(argv)} failed:\n{done.stdout}{done.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.returncode


def measure(label: str, text: str) -> None:
    with tempfile.TemporaryDirectory() as directory:
        project = Path(directory)
        (project / "org.yaml").write_text(text)
        try:
            timed(project, "sandbox", "up")
            steps = [
                ("first plan", ("plan",)),
                ("apply", ("apply", "--all", "--yes")),
                ("plan after apply", ("plan", "--detailed-exitcode")),
            ]
            figures = []
            for name, argv in steps:
                wall, cpu, code = timed(project, *argv)
                clean = " (clean)" if name == "plan after apply" and code == 0 else ""
                figures.append(f"{name} {wall:.1f} s wall / {cpu:.1f} s CPU{clean}")
            print(f"{label}: " + "; ".join(figures) + f"; load {os.getloadavg()[0]:.1f}")
        finally:
            stop_sandbox(project)


def main() -> None:
    measure("iam_users (example org.yaml)", EXAMPLE.read_text())
    measure("identity_center (example org.yaml)", identity_center_text())


if __name__ == "__main__":
    main()
