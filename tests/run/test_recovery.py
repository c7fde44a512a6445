"""Recovery that names the fix: stale state locks released by ``orgtf unlock``, and a
damaged state reported as damaged, with the way back."""

from __future__ import annotations

import json
import socket
import uuid
from pathlib import Path

import pytest

from orgtf.sandbox.runtime import SandboxTarget
from orgtf.terraform.backend import s3_lock_settings
from tests.support.engine import orgtf, sandbox_project
from tests.support.sandbox import (
    DEV_ID,
    SMALL_ORG,
    client_as_account,
    operator_client,
    with_s3_state,
)

KEY = "orgtf/dev/terraform.tfstate"
pytestmark = pytest.mark.sandbox

LOCK_ID = f"testorg-tf-state/{KEY}"


def _stale_lock(target: SandboxTarget) -> str:
    """The lock a Terraform apply killed outright leaves behind; its lock ID. It is the S3
    lock file with Terraform 1.10 and later, else the DynamoDB item."""
    lock_id = str(uuid.uuid4())
    info = {
        "ID": lock_id,
        "Operation": "OperationTypeApply",
        "Info": "",
        "Who": f"root@{socket.gethostname()}",
        "Version": "1.0.3",
        "Created": "2026-12-03T10:00:00.000000000Z",
        "Path": LOCK_ID,
    }
    if s3_lock_settings(target.terraform):
        s3 = operator_client(target, "s3")
        s3.put_object(Bucket="testorg-tf-state", Key=f"{KEY}.tflock", Body=json.dumps(info))
        return lock_id
    dynamodb = operator_client(target, "dynamodb")
    dynamodb.put_item(
        TableName="testorg-tf-locks",
        Item={"LockID": {"S": LOCK_ID}, "Info": {"S": json.dumps(info)}},
    )
    return lock_id


def test_a_stale_state_lock_is_named_and_released_by_unlock(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with sandbox_project(tmp_path / "project", with_s3_state(SMALL_ORG)) as (directory, target):
        assert orgtf(directory, "apply", "--account", "dev", "--yes") == 0
        lock_id = _stale_lock(target)
        capsys.readouterr()
        assert orgtf(directory, "plan", "--account", "dev") == 1
        report = " ".join(capsys.readouterr().out.split())
        assert f"state locked by root@{socket.gethostname()} (OperationTypeApply" in report
        assert "the lock is stale; release it with `orgtf unlock --account dev`" in report

        assert orgtf(directory, "unlock", "--account", "dev") == 0
        out = capsys.readouterr().out
        assert f"account dev: released state lock {lock_id} (held by root@" in out
        assert orgtf(directory, "plan", "--account", "dev", "--detailed-exitcode") == 0
        assert orgtf(directory, "unlock", "--account", "dev") == 0
        assert "account dev: the state is not locked; nothing to release" in capsys.readouterr().out


def test_a_local_lock_left_by_a_killed_terraform_is_no_obstacle(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with sandbox_project(tmp_path / "project", SMALL_ORG) as (directory, target):
        assert orgtf(directory, "apply", "--account", "dev", "--yes") == 0
        root = target.work_dir / "environments" / "dev"
        # What a Terraform killed outright leaves: its lock info. The operating system
        # released the lock itself when the process died.
        (root / ".terraform.tfstate.lock.info").write_text(json.dumps({"ID": "x", "Who": "a@b"}))
        assert orgtf(directory, "plan", "--account", "dev", "--detailed-exitcode") == 0
        capsys.readouterr()
        assert orgtf(directory, "unlock", "--account", "dev") == 0
        assert "the state is not locked; nothing to release" in capsys.readouterr().out


def test_a_truncated_state_is_reported_as_damaged_with_the_way_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with sandbox_project(tmp_path / "project", SMALL_ORG) as (directory, target):
        assert orgtf(directory, "apply", "--account", "dev", "--yes") == 0
        root = target.work_dir / "environments" / "dev"
        state = root / "terraform.tfstate"
        backup = root / "terraform.tfstate.backup"
        good = state.read_bytes()
        backup.write_bytes(good)  # as Terraform keeps the state before its last write
        state.write_bytes(good[: len(good) // 3])  # a full disk cut the write short
        capsys.readouterr()
        assert orgtf(directory, "plan", "--account", "dev") == 1
        report = " ".join(capsys.readouterr().out.split())
        assert "the state is damaged; the state file" in report
        assert f"Terraform kept the one before the last write in {backup}" in report
        assert "Unsupported state file format" in report
        assert "state locked by" not in report

        # The steps it names bring the account back.
        state.write_bytes(backup.read_bytes())
        assert orgtf(directory, "plan", "--account", "dev", "--detailed-exitcode") == 0


def test_objects_made_outside_the_state_are_named_and_adopted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with sandbox_project(tmp_path / "project", SMALL_ORG) as (directory, target):
        # A role org.yaml declares, made by hand (or by an apply killed before it recorded it).
        iam = client_as_account(target, "iam", DEV_ID)
        trust = {"Version": "2012-10-17", "Statement": []}
        iam.create_role(RoleName="Admin", AssumeRolePolicyDocument=json.dumps(trust))
        capsys.readouterr()
        assert orgtf(directory, "apply", "--account", "dev", "--yes") == 1
        out = " ".join(capsys.readouterr().out.split())
        assert (
            'module.account_roles.aws_iam_role.this["Admin"] already exist in AWS but not in '
            "the Terraform state"
        ) in out
        assert "adopt them with `orgtf import --account dev`, then run orgtf plan" in out

        assert orgtf(directory, "adopt", "--account", "dev") == 0
        out = capsys.readouterr().out
        assert 'adopted module.account_roles.aws_iam_role.this["Admin"] (import ID Admin)' in out
        assert "account dev: 1 object adopted into the state; nothing was changed in AWS" in out
        # The hand-made role is kept and brought to org.yaml: its trust policy is updated.
        assert orgtf(directory, "apply", "--account", "dev", "--yes") == 0
        assert orgtf(directory, "plan", "--account", "dev", "--detailed-exitcode") == 0
        role = iam.get_role(RoleName="Admin")["Role"]
        assert role["AssumeRolePolicyDocument"]["Statement"]  # org.yaml's trust, not the empty one
