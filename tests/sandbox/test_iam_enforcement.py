"""The sandbox decides sts:AssumeRole as AWS would: real AssumeRole calls through boto3, each
with the caller's own key, against organizations orgtf applied with real Terraform.

Every (user, role) pair of the example org.yaml and of a larger organization is tried with and
without MFA; the roles each user may assume are exactly those org.yaml grants. The other tests
add IAM users and roles of their own (unique names), so they share the sandbox, not its state.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from orgtf.access.matrix import access_entries, all_role_refs
from orgtf.config import Organization, load_organization
from orgtf.sandbox.runtime import SandboxTarget
from orgtf.sandbox.user_keys import user_access_key
from tests.support.engine import orgtf, sandbox_project
from tests.support.sandbox import client_as_account, operator_client

pytestmark = pytest.mark.sandbox

EXAMPLE_ORG = Path(__file__).resolve().parents[2] / "org.yaml"
CODE = "123456"  # the sandbox accepts any six digits for the caller's own MFA device

# Seven accounts, roles with paths, MFA ages and longer sessions, overlapping groups, a group
# with a managed policy that grants no role, a user with a path, users with no role at all.
LARGER_ORG = """\
organization:
  name: larger
  master_account: identity
  region: eu-west-1
  access_role: OrgAccess
  state: {backend: local}
accounts:
  identity: {id: "100000000001"}
  prod-eu: {id: "100000000002", protected: true}
  prod-us: {id: "100000000003", protected: true}
  staging: {id: "100000000004"}
  dev: {id: "100000000005"}
  data: {id: "100000000006", protected: true}
  audit: {id: "100000000007"}
roles:
  Admin:
    accounts: [prod-eu, prod-us, staging, dev, data]
    managed_policy_arns: [arn:aws:iam::aws:policy/AdministratorAccess]
    require_mfa: true
  Deployer:
    accounts: [prod-eu, prod-us, staging]
    path: /ci/
    managed_policy_arns: [arn:aws:iam::aws:policy/PowerUserAccess]
    max_session_duration: 7200
  ReadOnly:
    accounts: [prod-eu, prod-us, staging, dev, data, audit]
    managed_policy_arns: [arn:aws:iam::aws:policy/ReadOnlyAccess]
  Developer:
    accounts: [dev, staging]
    managed_policy_arns: [arn:aws:iam::aws:policy/PowerUserAccess]
  DataAnalyst:
    accounts: [data]
    managed_policy_arns: [arn:aws:iam::aws:policy/ReadOnlyAccess]
    require_mfa: true
    mfa_max_age: 900
  Auditor:
    accounts: [audit, prod-eu]
    path: /audit/
    managed_policy_arns: [arn:aws:iam::aws:policy/SecurityAudit]
    require_mfa: true
groups:
  admins: {roles: [prod-eu/Admin, prod-us/Admin, staging/Admin, dev/Admin, data/Admin]}
  deployers: {roles: [prod-eu/Deployer, prod-us/Deployer, staging/Deployer]}
  developers: {roles: [dev/Developer, staging/Developer, dev/ReadOnly, staging/ReadOnly]}
  readers:
    roles: [prod-eu/ReadOnly, prod-us/ReadOnly, data/ReadOnly]
    managed_policy_arns: [arn:aws:iam::aws:policy/IAMUserChangePassword]
  analysts: {roles: [data/DataAnalyst, data/ReadOnly]}
  auditors: {roles: [audit/Auditor, prod-eu/Auditor, audit/ReadOnly]}
  nothing: {description: A group that grants no role}
users:
  ana: {groups: [admins, readers]}
  dave: {groups: [developers, deployers], path: /staff/}
  dina: {groups: [developers]}
  erin: {groups: [analysts, readers]}
  fred: {groups: [auditors]}
  gina: {groups: [deployers, auditors, developers]}
  hugo: {groups: [readers]}
  ivan: {groups: [nothing]}
  eve: {}
"""


@dataclass(frozen=True)
class Applied:
    """A project whose org.yaml orgtf applied to its running sandbox."""

    project: Path
    target: SandboxTarget
    org: Organization

    @property
    def master_id(self) -> str:
        return self.org.master.id

    def mfa_serial(self, user: str) -> str:
        return f"arn:aws:iam::{self.master_id}:mfa/{user}"


def applied(directory: Path, org_yaml: str) -> Iterator[Applied]:
    """A sandbox for ``org_yaml`` with everything applied, torn down after."""
    with sandbox_project(directory, org_yaml) as (project, target):
        assert orgtf(project, "apply", "--all", "--yes") == 0
        yield Applied(project, target, load_organization(project / "org.yaml"))


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Applied]:
    yield from applied(tmp_path_factory.mktemp("example"), EXAMPLE_ORG.read_text())


@pytest.fixture(scope="module")
def larger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Applied]:
    yield from applied(tmp_path_factory.mktemp("larger"), LARGER_ORG)


def sts_with(target: SandboxTarget, key_id: str, secret: str, token: str | None = None) -> Any:
    """An STS client signing with exactly these credentials."""
    return boto3.client(
        "sts",
        endpoint_url=target.endpoint,
        region_name=target.region,
        aws_access_key_id=key_id,
        aws_secret_access_key=secret,
        aws_session_token=token,
    )


def user_sts(site: Applied, user: str) -> Any:
    key = user_access_key(site.target, user)
    return sts_with(site.target, key.access_key_id, key.secret_access_key)


def assumes(sts: Any, role_arn: str, **extra: Any) -> bool:
    """Whether ``sts``'s caller may assume ``role_arn``; a refusal must be AWS's AccessDenied."""
    try:
        out = sts.assume_role(RoleArn=role_arn, RoleSessionName="orgtf-test", **extra)
    except ClientError as exc:
        caller = sts.get_caller_identity()["Arn"]
        assert exc.response["ResponseMetadata"]["HTTPStatusCode"] == 403
        assert exc.response["Error"] == {
            "Type": "Sender",
            "Code": "AccessDenied",
            "Message": f"User: {caller} is not authorized to perform: sts:AssumeRole "
            f"on resource: {role_arn}",
        }
        return False
    account, name = role_arn.split(":")[4], role_arn.rpartition("/")[2]
    prefix = f"arn:aws:sts::{account}:assumed-role/{name}/"
    assert out["AssumedRoleUser"]["Arn"] == f"{prefix}orgtf-test"
    return True


def refusal(sts: Any, role_arn: str, **extra: Any) -> dict[str, str]:
    """The error an AssumeRole call fails with."""
    with pytest.raises(ClientError) as caught:
        sts.assume_role(RoleArn=role_arn, RoleSessionName="orgtf-test", **extra)
    error: dict[str, str] = caught.value.response["Error"]
    return error


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def new_user(site: Applied, groups: tuple[str, ...] = (), **policy: Any) -> Any:
    """A new IAM user of the master account in ``groups``, with an inline ``policy``; its STS."""
    iam = client_as_account(site.target, "iam", site.master_id)
    name = unique("extra")
    iam.create_user(UserName=name)
    for group in groups:
        iam.add_user_to_group(GroupName=group, UserName=name)
    if policy:
        document = json.dumps({"Version": "2012-10-17", "Statement": [policy]})
        iam.put_user_policy(UserName=name, PolicyName="own", PolicyDocument=document)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return sts_with(site.target, key["AccessKeyId"], key["SecretAccessKey"])


def new_role(site: Applied, account_id: str, trust: dict[str, Any], **extra: Any) -> str:
    """A new role in ``account_id`` with trust policy ``trust``; its ARN."""
    iam = client_as_account(site.target, "iam", account_id)
    document = json.dumps({"Version": "2012-10-17", "Statement": [trust]})
    role = iam.create_role(RoleName=unique("Role"), AssumeRolePolicyDocument=document, **extra)
    return str(role["Role"]["Arn"])


def allow_assume(resource: str = "*") -> dict[str, str]:
    return {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": resource}


def trusting(master_id: str, **condition: Any) -> dict[str, Any]:
    statement = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{master_id}:root"},
        "Action": "sts:AssumeRole",
    }
    return {**statement, "Condition": condition} if condition else statement


# --- the allowed set is the declared set ---------------------------------------------------


def test_in_the_example_org_users_may_assume_exactly_the_roles_granted(example: Applied) -> None:
    assert_allowed_is_declared(example)


def test_in_a_larger_org_users_may_assume_exactly_the_roles_granted(larger: Applied) -> None:
    assert_allowed_is_declared(larger)


def assert_allowed_is_declared(site: Applied) -> None:
    """Every user tries every role (and every access role), without MFA and with it."""
    org = site.org
    declared = {(e.user, e.role_arn): e.require_mfa for e in access_entries(org)}
    roles = [org.role_arn(ref) for ref in all_role_refs(org)]
    roles += [org.access_role_arn(account) for account in org.account_names()[1:]]
    without_mfa, with_mfa = set(), set()
    for user in sorted(org.config.users):
        sts = user_sts(site, user)
        mfa = {"SerialNumber": site.mfa_serial(user), "TokenCode": CODE}
        for arn in roles:
            if assumes(sts, arn):
                without_mfa.add((user, arn))
            if assumes(sts, arn, **mfa):
                with_mfa.add((user, arn))
    assert with_mfa == set(declared)
    assert without_mfa == {pair for pair, needs_mfa in declared.items() if not needs_mfa}
    assert without_mfa < with_mfa  # both orgs have roles that need MFA


# --- refusals --------------------------------------------------------------------------------


def test_a_role_that_does_not_exist_is_refused(example: Applied) -> None:
    entry = next(e for e in access_entries(example.org) if not e.require_mfa)
    sts = user_sts(example, entry.user)
    assert assumes(sts, entry.role_arn)
    assert not assumes(sts, f"arn:aws:iam::{entry.account_id}:role/DoesNotExist")
    assert not assumes(sts, "arn:aws:iam::999999999999:role/OrganizationAccountAccessRole")
    admin = new_user(example, **allow_assume())  # may assume anything, but nothing is there
    assert not assumes(admin, f"arn:aws:iam::{entry.account_id}:role/DoesNotExist")


def test_an_explicit_deny_in_a_user_policy_wins_over_its_group_grant(example: Applied) -> None:
    entry = next(e for e in access_entries(example.org) if not e.require_mfa)
    granted = new_user(example, groups=(entry.groups[0],))
    assert assumes(granted, entry.role_arn)
    denied = new_user(example, groups=(entry.groups[0],), **{**allow_assume(), "Effect": "Deny"})
    assert not assumes(denied, entry.role_arn)


def test_the_operator_enters_every_child_through_the_access_role(example: Applied) -> None:
    sts = operator_client(example.target, "sts")
    for account in example.org.account_names()[1:]:
        assert assumes(sts, example.org.access_role_arn(account))


def test_a_wrong_code_or_someone_elses_device_fails_as_mfa_fails(example: Applied) -> None:
    entry = next(e for e in access_entries(example.org) if not e.require_mfa)
    sts = user_sts(example, entry.user)
    other = next(u for u in sorted(example.org.config.users) if u != entry.user)
    bad = [
        {"SerialNumber": example.mfa_serial(entry.user), "TokenCode": "12345x"},
        {"SerialNumber": example.mfa_serial(other), "TokenCode": CODE},
        {"SerialNumber": f"arn:aws:iam::{example.master_id}:mfa/nobody", "TokenCode": CODE},
    ]
    for mfa in bad:
        error = refusal(sts, entry.role_arn, **mfa)
        assert error["Code"] == "AccessDenied"
        assert error["Message"] == (
            "MultiFactorAuthentication failed with invalid MFA one time pass code."
        )


def test_a_wrong_secret_or_an_unknown_key_is_refused(example: Applied) -> None:
    key = user_access_key(example.target, sorted(example.org.config.users)[0])
    role = example.org.access_role_arn(example.org.account_names()[1])
    forged = sts_with(example.target, key.access_key_id, "not-the-secret")
    assert refusal(forged, role)["Code"] == "SignatureDoesNotMatch"
    unknown = sts_with(example.target, "AKIAUNKNOWNUNKNOWN00", "secret")
    assert refusal(unknown, role)["Code"] == "InvalidClientTokenId"


# --- trust policy conditions, sessions and durations -----------------------------------------


def test_trust_conditions_on_the_principal_and_the_external_id(example: Applied) -> None:
    master = example.master_id
    child = example.org.account(example.org.account_names()[1]).id
    role = new_role(
        example,
        child,
        trusting(
            master,
            StringEquals={"aws:PrincipalType": "User", "sts:ExternalId": "shared-secret"},
            ArnLike={"aws:PrincipalArn": f"arn:aws:iam::{master}:user/extra-*"},
        ),
    )
    user = new_user(example, **allow_assume(role))
    assert not assumes(user, role)
    assert not assumes(user, role, ExternalId="wrong")
    assert assumes(user, role, ExternalId="shared-secret")
    operator = operator_client(example.target, "sts")  # an administrator, but not extra-*
    assert not assumes(operator, role, ExternalId="shared-secret")


def test_a_role_session_needs_its_own_role_policies_to_chain(example: Applied) -> None:
    master = example.master_id
    hop = new_role(example, master, trusting(master))
    operator = operator_client(example.target, "sts")
    creds = operator.assume_role(RoleArn=hop, RoleSessionName="hop")["Credentials"]
    session = sts_with(
        example.target, creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"]
    )
    child = example.org.access_role_arn(example.org.account_names()[1])
    assert not assumes(session, child)
    iam = client_as_account(example.target, "iam", master)
    document = json.dumps({"Version": "2012-10-17", "Statement": [allow_assume(child)]})
    iam.put_role_policy(RoleName=hop.rpartition("/")[2], PolicyName="hop", PolicyDocument=document)
    assert assumes(session, child)
    error = refusal(session, child, DurationSeconds=7200)
    assert error["Code"] == "ValidationError" and "1 hour session limit" in error["Message"]


def test_a_role_session_opened_without_mfa_cannot_enter_an_mfa_role(example: Applied) -> None:
    master = example.master_id
    needs_mfa = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    guarded = new_role(example, master, trusting(master, **needs_mfa))
    hop = new_role(example, master, trusting(master))
    iam = client_as_account(example.target, "iam", master)
    document = json.dumps({"Version": "2012-10-17", "Statement": [allow_assume()]})
    iam.put_role_policy(RoleName=hop.rpartition("/")[2], PolicyName="hop", PolicyDocument=document)
    user = new_user(example, **allow_assume())
    name = user.get_caller_identity()["Arn"].rpartition("/")[2]
    mfa = {"SerialNumber": f"arn:aws:iam::{master}:mfa/{name}", "TokenCode": CODE}
    for given, expected in (({}, False), (mfa, True)):
        creds = user.assume_role(RoleArn=hop, RoleSessionName="hop", **given)["Credentials"]
        session = sts_with(
            example.target, creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"]
        )
        assert assumes(session, guarded) is expected


def test_durations_up_to_the_role_maximum(example: Applied) -> None:
    child = example.org.account(example.org.account_names()[1]).id
    role = new_role(example, child, trusting(example.master_id), MaxSessionDuration=7200)
    user = new_user(example, **allow_assume(role))
    assert assumes(user, role, DurationSeconds=7200)
    error = refusal(user, role, DurationSeconds=7201)
    assert error["Code"] == "ValidationError"
    assert "exceeds the MaxSessionDuration set for this role" in error["Message"]
