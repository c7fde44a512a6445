"""What happens when the run dies: Terraform outlives orgtf, the next run waits for it or says
so, one writer per project, and reruns converge. Each test has a sandbox of its own."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
from pathlib import Path

import pytest

from orgtf.config import load_organization
from orgtf.process import Supervisor
from orgtf.run.engine import Engine
from orgtf.run.progress import progress_for
from orgtf.run.targets import select_target
from orgtf.sandbox.runtime import SandboxTarget
from tests.support.engine import edited_org, orgtf, sandbox_project, spawn_orgtf
from tests.support.sandbox import DEV_ID, MASTER_ID, PROD_ID, SMALL_ORG, client_as_account
from tests.support.waiting import LogWatch, processes_in, wait_for_exit

pytestmark = pytest.mark.sandbox

# Enough roles that an apply takes several seconds, so the run can die midway.
MANY = "\n".join(f"  Role{i:02d}:\n    accounts: [prod, dev]" for i in range(30))
ORG = SMALL_ORG.replace("roles:\n", "roles:\n" + MANY + "\n", 1)
CHILDREN = ("prod", "dev")


def _logs(target: SandboxTarget) -> dict[str, LogWatch]:
    return {a: LogWatch(target.state_dir / "logs" / a / "terraform.log") for a in CHILDREN}


def _start_apply(directory: Path, target: SandboxTarget) -> subprocess.Popen[str]:
    """``orgtf apply --all`` of reviewed plans, once both children are creating roles."""
    assert orgtf(directory, "plan") == 0
    watches = _logs(target)
    proc = spawn_orgtf(directory, "apply", "--all")
    for watch in watches.values():
        watch.wait_for(": Creation complete after")
    return proc


def _run_marker(target: SandboxTarget, account: str) -> dict[str, object]:
    marker = target.state_dir / "data" / account / "orgtf-run.json"
    data: dict[str, object] = json.loads(marker.read_text())
    return data


def _roles(target: SandboxTarget, account_id: str) -> set[str]:
    iam = client_as_account(target, "iam", account_id)
    pages = iam.get_paginator("list_roles").paginate().build_full_result()
    return {r["RoleName"] for r in pages["Roles"]}


def _converges(directory: Path, target: SandboxTarget) -> None:
    assert orgtf(directory, "plan") == 0
    assert orgtf(directory, "apply", "--all") == 0
    assert orgtf(directory, "plan", "--detailed-exitcode") == 0
    assert {f"Role{i:02d}" for i in range(30)} <= _roles(target, PROD_ID)
    assert processes_in(target.work_dir) == []  # no Terraform or provider left behind


def test_sigkill_of_orgtf_lets_terraform_finish_and_the_rerun_converges(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with sandbox_project(tmp_path / "project", ORG) as (directory, target):
        proc = _start_apply(directory, target)
        terraform = {a: int(str(_run_marker(target, a)["pid"])) for a in CHILDREN}
        proc.kill()  # orgtf alone, as an out-of-memory kill or a cancelled CI job does
        proc.communicate(timeout=30)

        # Terraform goes on; a new orgtf waits for it or says so instead of colliding. (Held
        # still meanwhile, so it is surely running while orgtf looks.)
        for pid in terraform.values():
            os.killpg(pid, signal.SIGSTOP)
        capsys.readouterr()
        assert orgtf(directory, "plan", "--account", "dev") == 1
        report = capsys.readouterr().out
        assert (
            f"terraform apply (pid {terraform['dev']}), started by an earlier orgtf run" in report
        )
        assert "pass --lock-timeout DURATION to wait for it" in " ".join(report.split())
        assert orgtf(directory, "unlock", "--account", "prod") == 1
        assert "nothing was unlocked" in capsys.readouterr().err
        for pid in terraform.values():
            os.killpg(pid, signal.SIGCONT)

        for account, pid in terraform.items():
            wait_for_exit(pid, timeout=180)
            log = (target.state_dir / "logs" / account / "terraform.log").read_text()
            assert "Apply complete! Resources: " in log  # it finished its whole apply
            state = target.work_dir / "environments" / account / "terraform.tfstate"
            assert json.loads(state.read_text())["version"] == 4
        assert {f"Role{i:02d}" for i in range(30)} <= _roles(target, PROD_ID)

        # The reviewed plans of prod and dev were applied meanwhile: orgtf says so.
        assert orgtf(directory, "apply", "--all") == 1
        assert "changed since its plan was made" in capsys.readouterr().err
        _converges(directory, target)


def test_a_closed_terminal_stops_terraform_cleanly_naming_what_did_not_finish(
    tmp_path: Path,
) -> None:
    with sandbox_project(tmp_path / "project", ORG) as (directory, target):
        proc = _start_apply(directory, target)
        proc.send_signal(signal.SIGHUP)
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 130, (out, err)
        assert "Traceback" not in err
        assert "run the command again: it converges" in err
        unfinished = err.split("not finished: ")[1].split(";")[0].split(", ")
        assert sorted(unfinished) == ["dev", "master", "prod"]
        assert unfinished[-1] == "master"  # it never started: children come first
        for account in CHILDREN:
            log = (target.state_dir / "logs" / account / "terraform.log").read_text()
            assert "Interrupt received" in log
        _converges(directory, target)


def test_a_waiting_run_starts_once_the_earlier_one_finished(tmp_path: Path) -> None:
    with sandbox_project(tmp_path / "project", ORG) as (directory, target):
        proc = _start_apply(directory, target)
        pid = int(str(_run_marker(target, "dev")["pid"]))
        os.killpg(pid, signal.SIGSTOP)  # the earlier apply is surely still going
        proc.kill()
        proc.communicate(timeout=30)
        log = LogWatch(target.state_dir / "logs" / "dev" / "terraform.log")
        waiting = spawn_orgtf(directory, "plan", "--account", "dev", "--lock-timeout", "5m")
        os.killpg(pid, signal.SIGCONT)
        out, err = waiting.communicate(timeout=300)
        assert waiting.returncode == 0, (out, err)
        text = log.new_text()
        # The plan started only after the earlier apply had finished.
        assert text.index("Apply complete! Resources: ") < text.index(" plan -input=false")
        assert not (target.state_dir / "data" / "dev" / "orgtf-run.json").exists()


PROTECTED = ORG.replace("master: {id: ", "master: {protected: true, id: ", 1)


def test_a_plan_written_during_an_apply_is_never_applied(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert PROTECTED != ORG
    with sandbox_project(tmp_path / "project", PROTECTED) as (directory, target):
        assert orgtf(directory, "apply", "--account", "master", "--yes") == 0
        users = client_as_account(target, "iam", MASTER_ID).list_users()["Users"]
        before = {u["UserName"] for u in users}
        assert "alice" in before
        proc = _start_apply(directory, target)
        capsys.readouterr()
        # Another org.yaml that deletes a user of the protected master account, planned now:
        with edited_org(directory, "  alice:", "  nobody-else:"):
            assert orgtf(directory, "plan", "--account", "master") == 1
        err = capsys.readouterr().err
        assert f"`orgtf apply` (pid {proc.pid} on " in err and "is running on this project" in err
        out, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, (out, err)
        users = client_as_account(target, "iam", MASTER_ID).list_users()["Users"]
        assert {u["UserName"] for u in users} == before  # nothing deleted in master


def test_apply_applies_the_copy_it_checked_not_what_is_on_disk_later(tmp_path: Path) -> None:
    with sandbox_project(tmp_path / "project", SMALL_ORG) as (directory, target):
        plans = tmp_path / "plans"
        assert orgtf(directory, "plan", "--account", "prod", "--account", "dev",
                     "--plan-dir", str(plans)) == 0  # fmt: skip
        org = load_organization(directory / "org.yaml")
        engine = Engine(org, select_target(org, True, os.environ), 1, Supervisor(), plans)
        saved = engine.saved_plans(engine.workspaces(["prod", "dev"]))
        checked = [plan for plan in saved.values() if plan is not None]
        # After the check, the saved plan files change under apply (another writer, a bug):
        (plans / "prod.tfplan").write_bytes(b"written after the check")
        (target.state_dir / "data" / "dev" / "reviewed.tfplan").write_bytes(b"tampered")
        with progress_for(["prod", "dev"], io.StringIO()) as progress:
            outcomes = {o.account: o for o in engine.apply(checked, False, progress)}
        assert outcomes["prod"].status == "applied"  # the copy it checked
        assert "Admin" in _roles(target, PROD_ID)
        assert outcomes["dev"].status == "failed"
        assert "changed or vanished after it was checked; nothing was applied there" in str(
            outcomes["dev"].error
        )
        assert "Admin" not in _roles(target, DEV_ID)
