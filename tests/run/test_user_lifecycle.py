"""Users' lifecycle in the master account, end to end: real Terraform against the sandbox.

Console passwords with and without a PGP key and ``orgtf users password`` as a user runs it;
the self-service group with real AssumeRole calls, each with the user's own key, with and
without MFA; and offboarding a user who has an access key, a console password and an MFA
device. Tests share the module's sandbox: each first converges the accounts it uses.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from orgtf.config.self_service import SELF_SERVICE_GROUP, SELF_SERVICE_POLICY
from orgtf.sandbox.provider.passwords import meets_policy
from orgtf.sandbox.runtime import SandboxTarget
from orgtf.sandbox.user_keys import user_access_key
from tests.support.engine import Project, converge, edited_org, orgtf, run_in_terminal
from tests.support.pgp_keys import decrypt, fingerprint, new_key, public_key_b64
from tests.support.sandbox import DEV_ID, MASTER_ID, PROD_ID, client_as_account

pytestmark = pytest.mark.sandbox

CODE = "123456"  # the sandbox accepts any six digits for the caller's own MFA device
ADMIN = f"arn:aws:iam::{DEV_ID}:role/Admin"
GUARDED = f"arn:aws:iam::{DEV_ID}:role/Guarded"


@pytest.fixture(scope="module")
def key() -> Any:
    return new_key("Carol")


@pytest.fixture(scope="module")
def org_yaml(key: Any) -> str:
    return f"""\
organization:
  name: testorg
  master_account: master
  state: {{backend: local}}
accounts:
  master: {{id: "{MASTER_ID}"}}
  prod: {{id: "{PROD_ID}", protected: true}}
  dev: {{id: "{DEV_ID}"}}
roles:
  Admin:
    accounts: [dev]
    managed_policy_arns: [arn:aws:iam::aws:policy/AdministratorAccess]
  Guarded:
    accounts: [dev]
    managed_policy_arns: [arn:aws:iam::aws:policy/ReadOnlyAccess]
    require_mfa: true
groups:
  admins: {{roles: [dev/Admin, dev/Guarded]}}
users:
  alice: {{groups: [admins], console: true}}
  carol: {{groups: [admins], console: true, pgp_key: {public_key_b64(key)}}}
"""


@pytest.fixture
def applied(project: Project, tmp_path: Path) -> Iterator[Project]:
    """The module's project with master and dev as org.yaml has them."""
    converge(project[0], ["master", "dev"], tmp_path / "plans")
    yield project


def master_iam(target: SandboxTarget) -> Any:
    return client_as_account(target, "iam", MASTER_ID)


def files_holding(directory: Path, secret: str) -> list[str]:
    """The files under ``directory`` whose text holds ``secret``."""
    found = []
    for path in directory.rglob("*"):
        if path.is_file() and secret in path.read_text(errors="replace"):
            found.append(str(path.relative_to(directory)))
    return sorted(found)


def test_the_password_is_refused_to_a_pipe_and_shown_on_a_terminal(
    applied: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    directory, target = applied
    capsys.readouterr()
    assert orgtf(directory, "users", "password", "alice") == 4
    out, err = capsys.readouterr()
    assert out == ""
    assert "refusing to print the console password of user 'alice': stdout is not a terminal" in err
    assert "--allow-non-terminal" in err

    assert orgtf(directory, "users", "password", "alice", "--allow-non-terminal") == 0
    out, err = capsys.readouterr()
    password = out.strip()
    assert len(password) == 20 and meets_policy(password)
    assert "must change it" in err and password not in err
    profile = master_iam(target).get_login_profile(UserName="alice")["LoginProfile"]
    assert profile["PasswordResetRequired"] is True

    code, screen = run_in_terminal(directory, "", "users", "password", "alice")
    assert code == 0, screen
    assert password in screen
    # Only Terraform's state holds it: no log, plan, report or output of orgtf does.
    state = ".orgtf/sandbox/tree/environments/master/terraform.tfstate"
    assert set(files_holding(directory, password)) <= {state, f"{state}.backup"}
    capsys.readouterr()
    assert orgtf(directory, "catalog", "--format", "json") == 0
    assert password not in capsys.readouterr().out


def test_a_password_encrypted_to_the_users_key_decrypts_with_it(
    applied: Project, key: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    directory, _ = applied
    capsys.readouterr()
    # Encrypted, it may go to a pipe: only carol's secret key reads it.
    assert orgtf(directory, "users", "password", "carol") == 0
    out, err = capsys.readouterr()
    password = decrypt(key, out.strip())
    assert len(password) == 20 and meets_policy(password)
    assert f"fingerprint {fingerprint(key)}" in err
    assert "orgtf --sandbox users password carol | base64 -d | gpg --decrypt" in err
    assert files_holding(directory, password) == []  # not even the state has it in the clear


def test_users_password_names_what_is_wrong(
    applied: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    directory, _ = applied
    capsys.readouterr()
    assert orgtf(directory, "users", "password", "alcie", "--allow-non-terminal") == 4
    assert "unknown user 'alcie' (did you mean 'alice'?)" in capsys.readouterr().err
    with edited_org(directory, "alice: {groups: [admins], console: true}", "bob: {}"):
        assert orgtf(directory, "users", "password", "bob", "--allow-non-terminal") == 4
    assert "user 'bob' has no console password: set users.bob.console" in capsys.readouterr().err


def sts_of(target: SandboxTarget, user: str) -> Any:
    key = user_access_key(target, user)
    return boto3.client(
        "sts",
        endpoint_url=target.endpoint,
        region_name=target.region,
        aws_access_key_id=key.access_key_id,
        aws_secret_access_key=key.secret_access_key,
    )


def assumes(sts: Any, role_arn: str, **mfa: str) -> bool:
    try:
        sts.assume_role(RoleArn=role_arn, RoleSessionName="orgtf-test", **mfa)
    except ClientError as exc:
        assert exc.response["Error"]["Code"] == "AccessDenied"
        return False
    return True


def test_self_service_leaves_assume_role_to_the_trust_policies(applied: Project) -> None:
    _, target = applied
    iam = master_iam(target)
    members = iam.get_group(GroupName=SELF_SERVICE_GROUP)["Users"]
    assert sorted(u["UserName"] for u in members) == ["alice", "carol"]
    sts = sts_of(target, "alice")
    mfa = {"SerialNumber": f"arn:aws:iam::{MASTER_ID}:mfa/alice", "TokenCode": CODE}
    assert assumes(sts, ADMIN)  # no MFA, and the role asks for none
    assert not assumes(sts, GUARDED)  # its trust policy requires MFA
    assert assumes(sts, GUARDED, **mfa)
    assert assumes(sts, ADMIN, **mfa)


def test_the_sandbox_applies_the_self_service_deny_to_assume_role(applied: Project) -> None:
    """The control for the test above: without sts:AssumeRole among the actions the Deny
    leaves out, the same call is refused, so the sandbox does evaluate the group's policy."""
    _, target = applied
    iam = master_iam(target)
    kept = iam.get_group_policy(GroupName=SELF_SERVICE_GROUP, PolicyName=SELF_SERVICE_POLICY)
    document = kept["PolicyDocument"]
    document = json.loads(document) if isinstance(document, str) else document
    deny = next(s for s in document["Statement"] if s["Effect"] == "Deny")
    deny["NotAction"] = [a for a in deny["NotAction"] if a != "sts:AssumeRole"]
    iam.put_group_policy(
        GroupName=SELF_SERVICE_GROUP,
        PolicyName=SELF_SERVICE_POLICY,
        PolicyDocument=json.dumps(document),
    )
    try:
        sts = sts_of(target, "alice")
        mfa = {"SerialNumber": f"arn:aws:iam::{MASTER_ID}:mfa/alice", "TokenCode": CODE}
        assert not assumes(sts, ADMIN)
        assert assumes(sts, ADMIN, **mfa)
    finally:
        original = kept["PolicyDocument"]
        text = original if isinstance(original, str) else json.dumps(original)
        iam.put_group_policy(
            GroupName=SELF_SERVICE_GROUP, PolicyName=SELF_SERVICE_POLICY, PolicyDocument=text
        )


def test_offboarding_deletes_a_user_with_keys_password_and_mfa_made_outside_terraform(
    applied: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory, target = applied
    iam = master_iam(target)
    alice = "  alice: {groups: [admins], console: true}"
    with edited_org(directory, alice, f"{alice}\n  dora: {{groups: [admins], console: true}}"):
        converge(directory, ["master"], tmp_path / "joined")
        assert iam.get_login_profile(UserName="dora")["LoginProfile"]["UserName"] == "dora"
        iam.create_access_key(UserName="dora")
        device = iam.create_virtual_mfa_device(VirtualMFADeviceName="dora")["VirtualMFADevice"]
        serial = device["SerialNumber"]
        iam.enable_mfa_device(
            UserName="dora", SerialNumber=serial, AuthenticationCode1=CODE, AuthenticationCode2=CODE
        )
    plans = ["--account", "master", "--plan-dir", str(tmp_path / "left")]
    capsys.readouterr()
    assert orgtf(directory, "plan", "--format", "json", *plans) == 0
    [master] = json.loads(capsys.readouterr().out)["accounts"]
    note = (
        "user dora is deleted with their console password, access keys and MFA devices "
        "(force_destroy), including any made outside Terraform"
    )
    assert master["deleted_users"] == ["dora"]
    assert master["notes"] == [note]
    addresses = {r["address"] for r in master["resources"]}
    assert 'module.identity_groups.aws_iam_user_login_profile.this["dora"]' in addresses
    assert orgtf(directory, "plan", *plans) == 0
    assert f"note: {note}" in capsys.readouterr().out
    assert orgtf(directory, "apply", *plans) == 0
    users = {u["UserName"] for u in iam.list_users()["Users"]}
    assert "dora" not in users and {"alice", "carol"} <= users
    members = iam.get_group(GroupName=SELF_SERVICE_GROUP)["Users"]
    assert sorted(u["UserName"] for u in members) == ["alice", "carol"]
