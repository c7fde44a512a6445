"""The emulator dying in the middle of a run: each account fails clearly, nothing is left."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from orgtf.cli import main
from tests.support.engine import Project, spawn_orgtf
from tests.support.sandbox import SMALL_ORG, running_sandbox, write_org
from tests.support.waiting import LogWatch, processes_in, wait_for_exit, wait_until

pytestmark = pytest.mark.sandbox

MANY = "\n".join(f"  Role{i:02d}:\n    accounts: [prod, dev]" for i in range(40))


def test_emulator_killed_mid_apply(tmp_path: Path) -> None:
    project = write_org(tmp_path, SMALL_ORG.replace("roles:\n", "roles:\n" + MANY + "\n", 1))
    with running_sandbox(project) as target:
        logs = [LogWatch(target.state_dir / "logs" / a / "terraform.log") for a in ("prod", "dev")]
        proc = spawn_orgtf(project, "apply", "--all", "--yes")
        # The provider is talking to the emulator, with dozens of roles still to create.
        wait_until(
            lambda: any(": Creation complete after" in log.new_text() for log in logs),
            "a role created in prod or dev",
        )
        os.kill(target.pid, signal.SIGKILL)
        out, err = proc.communicate(timeout=180)
    assert proc.returncode == 1, (out, err)
    assert "Traceback" not in err
    assert "failed" in out
    assert "full log:" in out
    assert not processes_in(project)


def test_plan_without_emulator_restarts_it(
    fresh_project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    directory, target = fresh_project
    os.kill(target.pid, signal.SIGKILL)
    wait_for_exit(target.pid)
    assert main(["--sandbox", "--config", str(directory / "org.yaml"), "plan"]) == 0
    assert "3 accounts: 3 with changes" in capsys.readouterr().out
