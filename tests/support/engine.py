"""Running orgtf in a sandboxed project: in this process, as a child process, on a terminal."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from orgtf.cli import main
from orgtf.sandbox.runtime import SandboxTarget
from tests.support.sandbox import running_sandbox, write_org

Project = tuple[Path, SandboxTarget]


@contextmanager
def sandbox_project(directory: Path, org_yaml: str) -> Iterator[Project]:
    """``directory`` holding ``org_yaml`` and its own running sandbox, torn down after."""
    with running_sandbox(write_org(directory, org_yaml)) as target:
        yield directory, target


@contextmanager
def edited_org(project: Path, old: str, new: str) -> Iterator[str]:
    """org.yaml with ``old`` replaced by ``new`` while the block runs; yields the original.

    The original is always written back. What was applied meanwhile stays: a later test
    that needs an account as org.yaml has it calls :func:`converge` first.
    """
    config = project / "org.yaml"
    original = config.read_text()
    assert old in original, f"{old!r} is not in org.yaml"
    config.write_text(original.replace(old, new, 1))
    try:
        yield original
    finally:
        config.write_text(original)


def converge(project: Path, accounts: Sequence[str], plan_dir: Path) -> None:
    """Apply org.yaml as it stands to ``accounts``: a known state for a test to start from.

    Plans into ``plan_dir`` (an empty directory), so no plan another test saved is applied.
    """
    selected = [argument for account in accounts for argument in ("--account", account)]
    argv = ["apply", *selected, "--yes", "--allow-destroy", "--plan-dir", str(plan_dir)]
    assert orgtf(project, *argv) == 0, f"could not bring {', '.join(accounts)} to org.yaml"


def orgtf(project: Path, *argv: str) -> int:
    """``orgtf --sandbox --config PROJECT/org.yaml ARGV...`` in this process."""
    return main(["--sandbox", "--config", str(project / "org.yaml"), *argv])


def spawn_orgtf(project: Path, *argv: str) -> subprocess.Popen[str]:
    """The same as a separate process, as a user's shell would start it."""
    command = [sys.executable, "-m", "orgtf", "--sandbox", "--config", str(project / "org.yaml")]
    return subprocess.Popen(
        [*command, *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )


def run_in_terminal(
    project: Path, answer: str, *argv: str, timeout: float = 120
) -> tuple[int, str]:
    """Run orgtf on a pseudo-terminal, typing ``answer`` at its prompt; (exit code, screen)."""
    import pty
    import select
    import time

    leader, follower = pty.openpty()
    command = [sys.executable, "-m", "orgtf", "--sandbox", "--config", str(project / "org.yaml")]
    proc = subprocess.Popen(
        [*command, *argv], stdin=follower, stdout=follower, stderr=follower, env=dict(os.environ)
    )
    os.close(follower)
    screen, answered, deadline = b"", False, time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closed: the process is done
                break
            screen += chunk
            if not answered and b"Only 'yes' will be accepted" in screen:
                if answer is None:
                    proc.terminate()
                else:
                    os.write(leader, answer.encode() + b"\r")
                answered = True
        elif proc.poll() is not None:
            break
    os.close(leader)
    return proc.wait(timeout=timeout), screen.decode(errors="replace")
