"""Faults during plan and apply: one account failing, interruption, and state safety.

Each test has a sandbox of its own, so it knows what is applied when it starts.
"""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest

from tests.support.engine import Project, edited_org, orgtf, sandbox_project, spawn_orgtf
from tests.support.sandbox import DEV_ID, PROD_ID, SMALL_ORG, client_as_account
from tests.support.waiting import LogWatch

pytestmark = pytest.mark.sandbox

# Enough roles that an apply takes several seconds, so it can be interrupted midway.
MANY = "\n".join(
    f"  Role{i:02d}:\n    accounts: [prod, dev]\n    description: role {i}" for i in range(40)
)
ORG = SMALL_ORG.replace("roles:\n", "roles:\n" + MANY + "\n", 1)


def test_interrupted_apply_stops_cleanly_and_converges(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with sandbox_project(tmp_path / "project", ORG) as (directory, target):
        assert orgtf(directory, "plan", "--account", "prod", "--account", "dev") == 0
        logs = {a: target.state_dir / "logs" / a / "terraform.log" for a in ("prod", "dev")}
        watches = [LogWatch(log) for log in logs.values()]
        proc = spawn_orgtf(directory, "apply", "--account", "prod", "--account", "dev")
        for watch in watches:  # both applies are under way: a role is created in each
            watch.wait_for(": Creation complete after")
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 130, (out, err)
        assert "interrupted" in err
        assert "Traceback" not in err

        for account, log in logs.items():
            root = target.work_dir / "environments" / account
            state = json.loads((root / "terraform.tfstate").read_text())
            assert state["version"] == 4
            assert not (root / ".terraform.tfstate.lock.info").exists()
            # One account may finish first on a busy machine; none is left half-written.
            assert "Interrupt received" in log.read_text() or "Apply complete" in log.read_text()
        assert any("Interrupt received" in log.read_text() for log in logs.values())

        capsys.readouterr()
        assert orgtf(directory, "apply", "--account", "prod", "--account", "dev", "--yes") == 0
        assert (
            orgtf(directory, "plan", "--account", "prod", "--account", "dev", "--detailed-exitcode")
            == 0
        )
        iam = client_as_account(target, "iam", PROD_ID)
        names = {
            r["RoleName"]
            for r in iam.get_paginator("list_roles").paginate().build_full_result()["Roles"]
        }
        assert {f"Role{i:02d}" for i in range(40)} <= names


def test_one_failing_account_does_not_stop_the_others(
    fresh_project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    directory, target = fresh_project
    broken = target.work_dir / "environments" / "dev" / "broken.tf"
    broken.parent.mkdir(parents=True)
    broken.write_text('resource "aws_iam_role" "x" {\n')
    capsys.readouterr()
    code = orgtf(directory, "plan", "--format", "json", "--parallelism", "1")
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert code == 1
    status = {a["account"]: a["status"] for a in report["accounts"]}
    # Nothing is applied yet: every account but the broken one plans its changes.
    assert status == {"master": "changes", "prod": "changes", "dev": "error"}
    dev = next(a for a in report["accounts"] if a["account"] == "dev")
    assert "terraform plan failed" in dev["error"] or "terraform init failed" in dev["error"]
    assert f"account dev failed; full log: {target.state_dir / 'logs' / 'dev'}" in captured.err


def test_apply_failure_in_one_account_reports_and_reruns(
    fresh_project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    directory, target = fresh_project
    iam = client_as_account(target, "iam", DEV_ID)
    trust = json.dumps({"Version": "2012-10-17", "Statement": []})
    clash = "roles:\n  Clash:\n    accounts: [prod, dev]\n"
    with edited_org(directory, "roles:\n", clash):
        iam.create_role(RoleName="Clash", AssumeRolePolicyDocument=trust)  # made by hand
        assert orgtf(directory, "plan", "--account", "prod", "--account", "dev") == 0
        capsys.readouterr()
        assert orgtf(directory, "apply", "--account", "prod", "--account", "dev") == 1
        out = capsys.readouterr().out
        assert "prod  applied" in out
        assert "dev   failed" in out
        assert "EntityAlreadyExists" in out
        assert "failed: dev" in out
        iam.delete_role(RoleName="Clash")
        assert orgtf(directory, "apply", "--account", "dev", "--yes") == 0
        assert "Clash" in {r["RoleName"] for r in iam.list_roles()["Roles"]}
