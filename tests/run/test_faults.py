"""Faults during plan and apply: one account failing, interruption, and state safety."""

from __future__ import annotations

import json
import signal
import time

import pytest

from tests.support.engine import Project, edited_org, orgtf, spawn_orgtf
from tests.support.sandbox import (
    DEV_ID,
    PROD_ID,
    SMALL_ORG,
    client_as_account,
)
from tests.support.waiting import wait_for_process

# Enough roles that an apply takes several seconds, so it can be interrupted midway.
MANY = "\n".join(
    f"  Role{i:02d}:\n    accounts: [prod, dev]\n    description: role {i}" for i in range(40)
)
ORG = SMALL_ORG.replace("roles:\n", "roles:\n" + MANY + "\n", 1)


@pytest.fixture(scope="module")
def org_yaml() -> str:
    return ORG


def test_interrupted_apply_stops_cleanly_and_converges(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    directory, target = project
    assert orgtf(directory, "plan", "--account", "prod", "--account", "dev") == 0
    proc = spawn_orgtf(directory, "apply", "--account", "prod", "--account", "dev")
    wait_for_process(directory, " apply ")
    time.sleep(0.5)  # let the apply get under way
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, (out, err)
    assert "interrupted" in err
    assert "Traceback" not in err

    for account in ("prod", "dev"):
        root = target.work_dir / "environments" / account
        state = json.loads((root / "terraform.tfstate").read_text())
        assert state["version"] == 4
        assert not (root / ".terraform.tfstate.lock.info").exists()
        log = (target.state_dir / "logs" / account / "terraform.log").read_text()
        assert "Interrupt received" in log or "Apply complete" in log

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
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    directory, target = project
    broken = target.work_dir / "environments" / "dev" / "broken.tf"
    try:
        assert orgtf(directory, "plan") in (0, 1)  # render the tree first
        broken.write_text('resource "aws_iam_role" "x" {\n')
        capsys.readouterr()
        code = orgtf(directory, "plan", "--format", "json", "--parallelism", "1")
        captured = capsys.readouterr()
        report = json.loads(captured.out)
        assert code == 1
        status = {a["account"]: a["status"] for a in report["accounts"]}
        assert status["dev"] == "error"
        assert status["master"] != "error" and status["prod"] == "no-changes"
        dev = next(a for a in report["accounts"] if a["account"] == "dev")
        assert "terraform plan failed" in dev["error"] or "terraform init failed" in dev["error"]
        assert f"account dev failed; full log: {target.state_dir / 'logs' / 'dev'}" in captured.err
    finally:
        broken.unlink(missing_ok=True)


def test_apply_failure_in_one_account_reports_and_reruns(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    directory, target = project
    iam = client_as_account(target, "iam", DEV_ID)
    trust = json.dumps({"Version": "2012-10-17", "Statement": []})
    clash = "roles:\n  Clash:\n    accounts: [prod, dev]\n"
    restore = ("apply", "--all", "--yes", "--allow-destroy")
    with edited_org(directory, "roles:\n", clash, afterwards=restore):
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
