"""``orgtf sandbox credentials`` as a user types it: a key made once for an applied user."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from orgtf.cli import main
from tests.support.engine import Project, orgtf, sandbox_project
from tests.support.sandbox import (
    MASTER_ID,
    SMALL_ORG,
    client_as_account,
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
