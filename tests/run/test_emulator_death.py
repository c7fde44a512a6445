"""The emulator dying in the middle of a run: each account fails clearly, nothing is left."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from tests.support.engine import spawn_orgtf
from tests.support.sandbox import SMALL_ORG, running_sandbox, write_org
from tests.support.waiting import processes_in, wait_for_process

MANY = "\n".join(f"  Role{i:02d}:\n    accounts: [prod, dev]" for i in range(40))


def test_emulator_killed_mid_plan(tmp_path: Path) -> None:
    project = write_org(tmp_path, SMALL_ORG.replace("roles:\n", "roles:\n" + MANY + "\n", 1))
    with running_sandbox(project) as target:
        proc = spawn_orgtf(project, "apply", "--all", "--yes")
        wait_for_process(project, " apply ")
        time.sleep(0.5)  # into the apply: the provider is talking to the emulator
        os.kill(target.pid, signal.SIGKILL)
        out, err = proc.communicate(timeout=180)
    assert proc.returncode == 1, (out, err)
    assert "Traceback" not in err
    assert "failed" in out
    assert "full log:" in out
    assert not processes_in(project)


def test_plan_without_emulator_restarts_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from orgtf.cli import main

    project = write_org(tmp_path, SMALL_ORG)
    with running_sandbox(project) as target:
        os.kill(target.pid, signal.SIGKILL)
        time.sleep(0.5)
        assert main(["--sandbox", "--config", str(project / "org.yaml"), "plan"]) == 0
        assert "3 accounts: 3 with changes" in capsys.readouterr().out
