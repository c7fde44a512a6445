"""`orgtf --sandbox access verify` on an organization applied with real Terraform, then changed
out of band with boto3 one way at a time; each change is undone after its test.

Where verify says a principal may or may not assume a role, the test asks the sandbox's STS,
which decides ``sts:AssumeRole`` as AWS does: with the user's own key, without MFA and with.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from orgtf.sandbox.runtime import SandboxTarget
from orgtf.sandbox.user_keys import user_access_key
from tests.support.engine import orgtf, sandbox_project
from tests.support.sandbox import client_as_account

pytestmark = pytest.mark.sandbox

MASTER, PROD, DEV, VENDOR = "111111111111", "222222222222", "333333333333", "999999999999"
ORG = f"""\
organization:
  name: verified
  master_account: master
  access_role: OrgAccess
  state: {{backend: local}}
accounts:
  master: {{id: "{MASTER}"}}
  prod: {{id: "{PROD}", protected: true, require_mfa: true}}
  dev: {{id: "{DEV}"}}
roles:
  Admin: {{accounts: [prod, dev], managed_policy_arns: [arn:aws:iam::aws:policy/AdministratorAccess]}}
  ReadOnly: {{accounts: [dev], managed_policy_arns: [arn:aws:iam::aws:policy/ReadOnlyAccess]}}
groups:
  admins: {{roles: [prod/Admin, dev/Admin]}}
  readers: {{roles: [dev/ReadOnly]}}
users:
  alice: {{groups: [admins]}}
  bob: {{groups: [readers]}}
"""
BOB = f"arn:aws:iam::{MASTER}:user/bob"
PROD_ADMIN = f"arn:aws:iam::{PROD}:role/Admin"
DEV_ADMIN = f"arn:aws:iam::{DEV}:role/Admin"
DEV_READ = f"arn:aws:iam::{DEV}:role/ReadOnly"
GRANT = "group admins: inline policy orgtf-assume-roles"
CODE = "123456"  # the sandbox accepts any six digits for the caller's own MFA device


@dataclass(frozen=True)
class Site:
    project: Path
    target: SandboxTarget

    def iam(self, account: str) -> Any:
        return client_as_account(self.target, "iam", account)

    def sts(self, key_id: str, secret: str) -> Any:
        return boto3.client(
            "sts",
            endpoint_url=self.target.endpoint,
            region_name=self.target.region,
            aws_access_key_id=key_id,
            aws_secret_access_key=secret,
        )

    def user_sts(self, user: str) -> Any:
        key = user_access_key(self.target, user)
        return self.sts(key.access_key_id, key.secret_access_key)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with sandbox_project(tmp_path_factory.mktemp("verify"), ORG) as (project, target):
        assert orgtf(project, "apply", "--all", "--yes") == 0
        yield Site(project, target)


def verify(site: Site, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    capsys.readouterr()
    code = orgtf(site.project, "access", "verify", "--format", "json")
    return code, json.loads(capsys.readouterr().out)


def assumes(sts: Any, role_arn: str, *, mfa_user: str | None = None) -> bool:
    """Whether the sandbox's STS lets ``sts``'s caller assume ``role_arn`` (with MFA if named)."""
    mfa = {"SerialNumber": f"arn:aws:iam::{MASTER}:mfa/{mfa_user}", "TokenCode": CODE}
    try:
        sts.assume_role(
            RoleArn=role_arn, RoleSessionName="verify-test", **(mfa if mfa_user else {})
        )
    except ClientError as exc:
        assert exc.response["Error"]["Code"] == "AccessDenied"
        return False
    return True


def trust_of(site: Site, account: str, role: str) -> dict[str, Any]:
    document: dict[str, Any] = site.iam(account).get_role(RoleName=role)["Role"][
        "AssumeRolePolicyDocument"
    ]
    return document


@contextmanager
def trust_changed(site: Site, account: str, role: str, document: dict[str, Any]) -> Iterator[None]:
    iam, original = site.iam(account), trust_of(site, account, role)
    iam.update_assume_role_policy(RoleName=role, PolicyDocument=json.dumps(document))
    try:
        yield
    finally:
        iam.update_assume_role_policy(RoleName=role, PolicyDocument=json.dumps(original))


def test_the_applied_organization_verifies_clean(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report = verify(site, capsys)
    assert code == 0
    assert (report["extra"], report["missing"], report["mfa"]) == ([], [], [])
    assert report["not_compared"] == [f"arn:aws:iam::{MASTER}:user/orgtf-operator"]
    assert report["summary"]["declared"] == report["summary"]["effective"] == 3


def test_a_user_added_to_a_group_out_of_band_is_extra(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    iam = site.iam(MASTER)
    iam.add_user_to_group(GroupName="admins", UserName="bob")
    try:
        code, report = verify(site, capsys)
        sts = site.user_sts("bob")
        assert assumes(sts, DEV_ADMIN)
        assert not assumes(sts, PROD_ADMIN) and assumes(sts, PROD_ADMIN, mfa_user="bob")
    finally:
        iam.remove_user_from_group(GroupName="admins", UserName="bob")
    assert code == 2
    assert report["extra"] == [
        {
            "principal": BOB,
            "role_arn": PROD_ADMIN,
            "via": f"{GRANT} (statement AssumeRolesWithMFA)",
            "mfa": True,
        },
        {
            "principal": BOB,
            "role_arn": DEV_ADMIN,
            "via": f"{GRANT} (statement AssumeRoles)",
            "mfa": False,
        },
    ]
    assert report["missing"] == report["mfa"] == []


def test_a_user_policy_granting_a_role_is_extra(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    iam = site.iam(MASTER)
    grant = {"Sid": "Oops", "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": DEV_ADMIN}
    document = json.dumps({"Version": "2012-10-17", "Statement": [grant]})
    iam.put_user_policy(UserName="bob", PolicyName="by-hand", PolicyDocument=document)
    try:
        code, report = verify(site, capsys)
        assert assumes(site.user_sts("bob"), DEV_ADMIN)
    finally:
        iam.delete_user_policy(UserName="bob", PolicyName="by-hand")
    assert code == 2
    via = "user bob: inline policy by-hand (statement Oops)"
    assert report["extra"] == [{"principal": BOB, "role_arn": DEV_ADMIN, "via": via, "mfa": False}]


def test_a_role_trusting_a_third_party_account_is_extra(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    document = trust_of(site, DEV, "ReadOnly")
    vendor = {
        "Sid": "Vendor",
        "Effect": "Allow",
        "Principal": {"AWS": VENDOR},
        "Action": "sts:AssumeRole",
    }
    document["Statement"].append(vendor)
    with trust_changed(site, DEV, "ReadOnly", document):
        code, report = verify(site, capsys)
        assert assumes(vendor_sts(site), DEV_READ)  # the vendor's admin really gets in
    assert code == 2
    via = "trust policy of role ReadOnly (statement Vendor)"
    root = f"arn:aws:iam::{VENDOR}:root"
    assert report["extra"] == [{"principal": root, "role_arn": DEV_READ, "via": via, "mfa": False}]


def vendor_sts(site: Site) -> Any:
    """STS for an administrator of the vendor's account, which only this test uses."""
    iam = site.iam(VENDOR)
    iam.create_user(UserName="vendor")
    iam.attach_user_policy(
        UserName="vendor", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess"
    )
    key = iam.create_access_key(UserName="vendor")["AccessKey"]
    return site.sts(key["AccessKeyId"], key["SecretAccessKey"])


def test_a_role_deleted_by_hand_is_missing(site: Site, capsys: pytest.CaptureFixture[str]) -> None:
    iam, policy = site.iam(DEV), "arn:aws:iam::aws:policy/ReadOnlyAccess"
    trust = trust_of(site, DEV, "ReadOnly")
    iam.detach_role_policy(RoleName="ReadOnly", PolicyArn=policy)
    iam.delete_role(RoleName="ReadOnly")
    try:
        code, report = verify(site, capsys)
        assert not assumes(site.user_sts("bob"), DEV_READ)
    finally:
        iam.create_role(RoleName="ReadOnly", AssumeRolePolicyDocument=json.dumps(trust))
        iam.attach_role_policy(RoleName="ReadOnly", PolicyArn=policy)
    assert code == 2
    assert report["missing"] == [
        {
            "principal": BOB,
            "role_arn": DEV_READ,
            "via": "org.yaml: group readers",
            "reason": "the role does not exist",
        }
    ]
    assert report["extra"] == report["mfa"] == []


def test_mfa_removed_from_a_trust_policy_by_hand_differs(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    document = trust_of(site, PROD, "Admin")
    del document["Statement"][0]["Condition"]
    with trust_changed(site, PROD, "Admin", document):
        code, report = verify(site, capsys)
        # alice's group policy still asks for MFA, so her own access is as declared
        sts = site.user_sts("alice")
        assert not assumes(sts, PROD_ADMIN) and assumes(sts, PROD_ADMIN, mfa_user="alice")
    assert code == 2
    assert report["mfa"] == [
        {
            "principal": f"arn:aws:iam::{MASTER}:root",
            "role_arn": PROD_ADMIN,
            "via": "trust policy of role Admin",
            "declared_mfa": True,
            "effective_mfa": False,
        }
    ]
    assert report["extra"] == report["missing"] == []


def test_an_account_it_cannot_read_is_an_error(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    nobody = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": VENDOR}, "Action": "sts:AssumeRole"}
        ],
    }
    with trust_changed(site, DEV, "OrgAccess", nobody):
        capsys.readouterr()
        code = orgtf(site.project, "access", "verify")
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    assert "could not read the IAM of 1 of 3 accounts from the sandbox at" in err
    assert f"  dev ({DEV}): cannot assume arn:aws:iam::{DEV}:role/OrgAccess: " in err
