"""Reading the organization's IAM for `access verify` (orgtf.live.read) where the sandbox cannot
show it: pages of a truncated GetAccountAuthorizationDetails, AWS managed policies fetched one
by one, a role session as the caller, credentials of the wrong account, an account that fails.

A stand-in for ``orgtf.live.connect.Connection`` answers as IAM and STS would: real AWS cannot
be reached from here, and the emulator never truncates this call.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import pytest
from botocore.exceptions import ClientError

from orgtf.config import Organization, load_organization_text
from orgtf.errors import OrgtfError
from orgtf.live.connect import Caller, Connection, Credentials
from orgtf.live.read import AccountReadError, read_organization

MASTER, DEV = "111111111111", "333333333333"
ORG = f"""\
organization: {{name: readorg, master_account: master, access_role: OrgAccess}}
accounts:
  master: {{id: "{MASTER}"}}
  dev: {{id: "{DEV}"}}
roles:
  Admin: {{accounts: [dev]}}
"""
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
CI_ROLE = f"arn:aws:iam::{MASTER}:role/automation/ci"


@pytest.fixture
def org() -> Organization:
    return load_organization_text(ORG, Path("org.yaml"))


def master_pages() -> list[dict[str, Any]]:
    user = {"UserName": "alice", "Arn": f"arn:aws:iam::{MASTER}:user/alice"}
    role = {"RoleName": "ci", "Arn": CI_ROLE, "Path": "/automation/"}
    attached = [{"PolicyName": "AdministratorAccess", "PolicyArn": ADMIN}]
    return [
        {"UserDetailList": [{**user, "AttachedManagedPolicies": attached}], "IsTruncated": True},
        {"RoleDetailList": [role], "IsTruncated": False},
    ]


@dataclass
class FakeIam:
    pages: list[dict[str, Any]]
    calls: list[tuple[str, Any]] = field(default_factory=list)

    def get_paginator(self, name: str) -> Any:
        assert name == "get_account_authorization_details"
        return self

    def paginate(self, Filter: list[str]) -> Iterator[dict[str, Any]]:
        self.calls.append(("filter", Filter))
        yield from self.pages

    def get_policy(self, PolicyArn: str) -> dict[str, Any]:
        self.calls.append(("get_policy", PolicyArn))
        return {"Policy": {"Arn": PolicyArn, "DefaultVersionId": "v7"}}

    def get_policy_version(self, PolicyArn: str, VersionId: str) -> dict[str, Any]:
        document = {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
        return {"PolicyVersion": {"Document": document, "VersionId": VersionId}}


@dataclass
class FakeConnection:
    caller_arn: str = f"arn:aws:iam::{MASTER}:user/operator"
    refuse: bool = False
    label: str = "AWS"
    iams: dict[str, FakeIam] = field(default_factory=dict)

    def caller(self) -> Caller:
        return Caller(self.caller_arn.split(":")[4], self.caller_arn)

    def assume(self, role_arn: str, session_name: str) -> Credentials:
        assert session_name == "orgtf-dev"
        if self.refuse:
            error = {"Error": {"Code": "AccessDenied", "Message": "not authorized"}}
            raise ClientError(error, "AssumeRole")  # type: ignore[arg-type]
        return Credentials(role_arn, "secret", "token")

    def client(self, service: str, credentials: Credentials | None = None) -> FakeIam:
        assert service == "iam"
        key = "master" if credentials is None else credentials.access_key_id
        role = {"RoleName": "Admin", "Arn": f"arn:aws:iam::{DEV}:role/Admin"}
        pages = master_pages() if key == "master" else [{"RoleDetailList": [role]}]
        return self.iams.setdefault(key, FakeIam(pages))


def read(org: Organization, connection: FakeConnection) -> Any:
    return read_organization(org, cast(Connection, connection))


def test_every_page_is_read_and_aws_managed_policies_one_by_one(org: Organization) -> None:
    connection = FakeConnection()
    live = read(org, connection)
    master = live.accounts["master"]
    assert [u.name for u in master.users] == ["alice"] and [r.name for r in master.roles] == ["ci"]
    assert master.policies[ADMIN]["Statement"][0]["Action"] == "*"
    assert connection.iams["master"].calls == [
        ("filter", ["User", "Group", "Role", "LocalManagedPolicy"]),
        ("get_policy", ADMIN),
    ]
    member = connection.iams[f"arn:aws:iam::{DEV}:role/OrgAccess"]
    assert member.calls == [("filter", ["Role"])]
    assert list(live.accounts) == ["master", "dev"]
    assert live.caller == f"arn:aws:iam::{MASTER}:user/operator"


def test_a_role_session_is_named_by_its_role(org: Organization) -> None:
    session = f"arn:aws:sts::{MASTER}:assumed-role/ci/build-42"
    assert read(org, FakeConnection(caller_arn=session)).caller == CI_ROLE


def test_credentials_of_another_account_are_refused(org: Organization) -> None:
    with pytest.raises(
        OrgtfError, match=r"credentials are for account 999999999999, not the master"
    ):
        read(org, FakeConnection(caller_arn="arn:aws:iam::999999999999:user/x"))


def test_an_access_role_it_cannot_assume_names_the_account(org: Organization) -> None:
    with pytest.raises(AccountReadError) as caught:
        read(org, FakeConnection(refuse=True))
    assert caught.value.message.startswith("could not read the IAM of 1 of 2 accounts from AWS:\n")
    assert (
        f"  dev ({DEV}): cannot assume arn:aws:iam::{DEV}:role/OrgAccess: " in caught.value.message
    )
