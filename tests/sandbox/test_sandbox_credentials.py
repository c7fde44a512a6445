"""``orgtf sandbox credentials`` and ``ORGTF_SANDBOX_IAM`` as a user types them, and the walk-through
of docs/sandbox.md: the profiles ``orgtf profiles`` writes, used by boto3 and the aws CLI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from orgtf.cli import main
from orgtf.sandbox.runtime import SandboxTarget
from tests.support.engine import Project, orgtf, sandbox_project
from tests.support.sandbox import (
    DEV_ID,
    MASTER_ID,
    PROD_ID,
    SMALL_ORG,
    client_as_account,
    running_sandbox,
    write_org,
)

pytestmark = pytest.mark.sandbox

# The small org with a role that needs MFA, so that a profile carries an mfa_serial.
ORG = SMALL_ORG.replace(
    "groups:\n",
    "  Breakglass:\n    accounts: [prod]\n    require_mfa: true\n"
    "    managed_policy_arns: [arn:aws:iam::aws:policy/ReadOnlyAccess]\ngroups:\n",
).replace("roles: [prod/Admin, dev/Admin]", "roles: [prod/Admin, dev/Admin, prod/Breakglass]")


@pytest.fixture(scope="module")
def applied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    """The org applied to its sandbox, so that its user alice exists."""
    with sandbox_project(tmp_path_factory.mktemp("credentials"), ORG) as (project, target):
        assert orgtf(project, "apply", "--all", "--yes") == 0
        yield project, target


def credentials(project: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["--config", str(project / "org.yaml"), "sandbox", "credentials", *args])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_credentials_are_made_once_and_then_reused(
    applied: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    project, target = applied
    code, out = credentials(project, capsys, "--user", "alice", "--json")
    assert code == 0, out
    data = json.loads(out)
    assert set(data) == {"user", "access_key_id", "secret_access_key"}
    assert data["user"] == "alice"
    code, again = credentials(project, capsys, "--user", "alice")
    assert code == 0
    assert f"aws_access_key_id = {data['access_key_id']}\n" in again
    assert f"aws_secret_access_key = {data['secret_access_key']}\n" in again
    assert "[default]\n" in again
    sts = boto3.client(
        "sts",
        endpoint_url=target.endpoint,
        region_name=target.region,
        aws_access_key_id=data["access_key_id"],
        aws_secret_access_key=data["secret_access_key"],
    )
    assert sts.get_caller_identity()["Arn"] == f"arn:aws:iam::{MASTER_ID}:user/alice"
    kept = target.state_dir / "user-keys.json"
    assert kept.stat().st_mode & 0o777 == 0o600


def test_a_key_deleted_from_iam_is_replaced(
    applied: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    project, target = applied
    iam = client_as_account(target, "iam", MASTER_ID)
    iam.create_user(UserName="zoe")
    first = json.loads(credentials(project, capsys, "--user", "zoe", "--json")[1])
    iam.delete_access_key(UserName="zoe", AccessKeyId=first["access_key_id"])
    code, out = credentials(project, capsys, "--user", "zoe", "--json")
    assert code == 0 and json.loads(out)["access_key_id"] != first["access_key_id"]


def test_a_user_orgtf_has_not_applied_or_does_not_know(
    fresh_project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    project, _ = fresh_project
    code, out = credentials(project, capsys, "--user", "alice")
    assert code == 1
    assert "user 'alice' does not exist in the sandbox's master account (111111111111)" in out
    assert "orgtf --sandbox apply --all" in out
    code, out = credentials(project, capsys, "--user", "alise")
    assert code == 4
    assert "unknown user 'alise'" in out and "did you mean 'alice'?" in out


def test_credentials_need_a_running_sandbox(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = write_org(tmp_path)
    code, out = credentials(project, capsys, "--user", "alice")
    assert code == 1 and "is not running; start it with `orgtf sandbox up`" in out


def test_enforcement_can_be_turned_off_and_is_recorded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = write_org(tmp_path)
    config = ["--config", str(project / "org.yaml")]
    with running_sandbox(project, env={**os.environ, "ORGTF_SANDBOX_IAM": "off"}) as target:
        iam = client_as_account(target, "iam", MASTER_ID)
        iam.create_user(UserName="eve")
        key = iam.create_access_key(UserName="eve")["AccessKey"]
        eve = boto3.client(
            "sts",
            endpoint_url=target.endpoint,
            region_name=target.region,
            aws_access_key_id=key["AccessKeyId"],
            aws_secret_access_key=key["SecretAccessKey"],
        )
        for arn in (f"arn:aws:iam::{PROD_ID}:role/ProdAdmin", f"arn:aws:iam::{DEV_ID}:role/No"):
            eve.assume_role(RoleArn=arn, RoleSessionName="eve")  # moto as it is: no check
        capsys.readouterr()
        assert main([*config, "sandbox", "status", "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["iam"] == "off"
        assert main([*config, "sandbox", "status"]) == 0
        assert "  IAM:       not checked (ORGTF_SANDBOX_IAM=off)" in capsys.readouterr().out
        assert_mode_change_refused(project, target, capsys)


def assert_mode_change_refused(
    project: Path, target: SandboxTarget, capsys: pytest.CaptureFixture[str]
) -> None:
    """Asking a running sandbox for the other mode, or for no mode at all."""
    command = [sys.executable, "-m", "orgtf", "--config", str(project / "org.yaml")]
    for value, code, message in (
        ("on", 4, "already runs with ORGTF_SANDBOX_IAM=off"),
        ("maybe", 4, "ORGTF_SANDBOX_IAM=maybe: expected one of on, off"),
        ("", 0, "sandbox running: "),  # unset: whatever it runs with
    ):
        env = {**os.environ, "ORGTF_SANDBOX_IAM": value}
        done = subprocess.run(
            [*command, "sandbox", "up"], env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == code, done.stderr
        assert message in done.stdout + done.stderr
        assert target.pid == json.loads((target.state_dir / "emulator.json").read_text())["pid"]


def test_the_profiles_orgtf_writes_work_with_boto3_and_the_aws_cli(
    applied: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project, target = applied
    config, creds = tmp_path / "config", tmp_path / "credentials"
    assert orgtf(project, "profiles", "--user", "alice", "--write", str(config)) == 0
    code, out = credentials(project, capsys, "--user", "alice")
    assert code == 0
    creds.write_text(out)
    assert f"mfa_serial = arn:aws:iam::{MASTER_ID}:mfa/alice\n" in config.read_text()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        HOME=str(tmp_path),  # the aws CLI caches role credentials under ~/.aws/cli/cache
        AWS_CONFIG_FILE=str(config),
        AWS_SHARED_CREDENTIALS_FILE=str(creds),
        AWS_ENDPOINT_URL=target.endpoint,  # the only way the inner AssumeRole reaches it
        AWS_DEFAULT_REGION=target.region,
        AWS_EC2_METADATA_DISABLED="true",
    )
    script = "import boto3; print(boto3.Session(profile_name='dev-admin').client('sts')"
    script += ".get_caller_identity()['Arn'])"
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.stdout == f"arn:aws:sts::{DEV_ID}:assumed-role/Admin/alice\n", done.stderr
    aws = shutil.which("aws")
    if aws is None:
        pytest.skip("no aws CLI on PATH")
    argv = [aws, "--profile", "prod-breakglass", "sts", "get-caller-identity", "--output", "text"]
    for code_typed, ok in (("12345x\n", False), ("123456\n", True)):  # the CLI caches a success
        done = subprocess.run(
            argv, env=env, input=code_typed, capture_output=True, text=True, timeout=60
        )
        assert (done.returncode == 0) is ok, done.stderr
        if ok:
            assert f"arn:aws:sts::{PROD_ID}:assumed-role/Breakglass/alice" in done.stdout
        else:
            assert "MultiFactorAuthentication failed" in done.stderr
