"""Make the emulator look like the organization in org.yaml, idempotently.

moto acts as whichever account a request names in its ``x-moto-account-id`` header; without
the header it maps the request's access key to the account that owns it (IAM user keys belong
to the user's account; keys returned by sts:AssumeRole belong to the account in the role ARN).
So bootstrap calls carry the header, and everything created for Terraform is keyed so that
plain AWS credentials land in the right account:

- the operator, an IAM user with AdministratorAccess and an access key, in the master account;
- in every other account, at its org.yaml id, the access role trusting the master account;
- the organization (created by the master account) with one member per org.yaml account.
  moto's Organizations API gives members random ids of its own; IAM and STS use org.yaml's.
- for ``state.backend: s3``, the bucket and the DynamoDB lock table in the master account.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from orgtf.config import Organization
from orgtf.config.model import S3State
from orgtf.config.policy import trust_policy
from orgtf.errors import OrgtfError
from orgtf.sandbox.loopback import NotLoopbackError, loopback_url

# boto3 and botocore come with the sandbox extra: imported where used, so that importing this
# module (for OperatorCredentials) works on a base install.
if TYPE_CHECKING:
    from mypy_boto3_iam import IAMClient
    from mypy_boto3_organizations import OrganizationsClient

OPERATOR_USER = "orgtf-operator"
ADMIN_POLICY_ARN = "arn:aws:iam::aws:policy/AdministratorAccess"
ACCOUNT_HEADER = "x-moto-account-id"
# moto accepts any signature; these only satisfy the SDK's need for some credentials.
_BOOTSTRAP_KEY = "orgtf-sandbox-bootstrap"


@dataclass(frozen=True)
class OperatorCredentials:
    """The access key of the operator user in the master account."""

    access_key_id: str
    secret_access_key: str = field(repr=False)


@dataclass(frozen=True)
class BootstrapResult:
    """What the emulator holds after bootstrap."""

    accounts: Mapping[str, str]  # org.yaml account name -> id (what IAM/STS use)
    organization_id: str
    member_ids: Mapping[str, str]  # account name -> id in moto's Organizations API
    operator: OperatorCredentials
    created: tuple[str, ...]  # what this run created, for `sandbox up` to report


def bootstrap(
    org: Organization, endpoint: str, operator: OperatorCredentials | None
) -> BootstrapResult:
    """Create whatever of the org is missing in the emulator; reuse ``operator`` if still valid."""
    from botocore.exceptions import BotoCoreError, ClientError

    clients = _Clients(endpoint, org.config.organization.region)
    created: list[str] = []
    try:
        org_id, member_ids = _ensure_organization(org, clients, created)
        for name in org.account_names()[1:]:
            _ensure_access_role(org, clients.iam(org.account(name).id), name, created)
        key = _ensure_operator(clients.iam(org.master.id), operator, created)
        state = org.config.organization.state
        if isinstance(state, S3State):
            _ensure_state_backend(org, state, endpoint, created)
    except (ClientError, BotoCoreError) as exc:
        raise OrgtfError(f"sandbox bootstrap failed against {endpoint}: {exc}") from exc
    accounts = {name: org.account(name).id for name in org.account_names()}
    return BootstrapResult(accounts, org_id, member_ids, key, tuple(created))


def account_client(
    service: str, endpoint: str, region: str, account_id: str
) -> Any:  # boto3 clients have no common static type
    """A boto3 client that acts as ``account_id`` in the emulator (for bootstrap and tests).

    Like the stand-in provider's clients, it only talks to loopback and never uses a proxy.
    """
    import boto3

    from orgtf.sandbox.client_guard import client_config, guard_client
    from orgtf.sandbox.client_retries import retry_server_errors

    try:
        url = loopback_url(endpoint)
    except NotLoopbackError as exc:
        raise OrgtfError(f"refusing sandbox endpoint {endpoint!r}: it {exc}") from exc
    client = boto3.client(
        service,  # type: ignore[call-overload]
        endpoint_url=url,
        region_name=region,
        aws_access_key_id=_BOOTSTRAP_KEY,
        aws_secret_access_key=_BOOTSTRAP_KEY,
        config=client_config(retries={"max_attempts": 2}, connect_timeout=5, read_timeout=60),
    )
    client.meta.events.register("before-sign.*.*", _account_header(account_id))
    return guard_client(retry_server_errors(client))


def _account_header(account_id: str) -> Callable[..., None]:
    def add(request: Any, **_: Any) -> None:
        request.headers[ACCOUNT_HEADER] = account_id

    return add


@dataclass(frozen=True)
class _Clients:
    endpoint: str
    region: str

    def iam(self, account_id: str) -> IAMClient:
        client: IAMClient = account_client("iam", self.endpoint, self.region, account_id)
        return client

    def organizations(self, account_id: str) -> OrganizationsClient:
        client: OrganizationsClient = account_client(
            "organizations", self.endpoint, self.region, account_id
        )
        return client


def _ensure_organization(
    org: Organization, clients: _Clients, created: list[str]
) -> tuple[str, dict[str, str]]:
    client = clients.organizations(org.master.id)
    try:
        org_id = client.describe_organization()["Organization"]["Id"]
    except client.exceptions.AWSOrganizationsNotInUseException:
        org_id = client.create_organization(FeatureSet="ALL")["Organization"]["Id"]
        created.append(f"organization {org_id} (master account {org.master.id})")
    members = {org.master_name: org.master.id}
    existing = {
        account["Name"]: account["Id"]
        for page in client.get_paginator("list_accounts").paginate()
        for account in page["Accounts"]
        if account["Id"] != org.master.id
    }
    for name in org.account_names()[1:]:
        if name not in existing:
            status = client.create_account(
                AccountName=name, Email=f"{name}@{org.name}.sandbox.invalid"
            )["CreateAccountStatus"]
            existing[name] = status.get("AccountId", "")
            created.append(f"organization member {name}")
        members[name] = existing[name]
    return org_id, members


def _ensure_access_role(
    org: Organization, iam: IAMClient, account: str, created: list[str]
) -> None:
    role = org.config.organization.access_role
    trust = json.dumps(trust_policy(org.master.id, require_mfa=False, mfa_max_age=3600))
    try:
        iam.get_role(RoleName=role)
        iam.update_assume_role_policy(RoleName=role, PolicyDocument=trust)
    except iam.exceptions.NoSuchEntityException:
        iam.create_role(
            RoleName=role,
            AssumeRolePolicyDocument=trust,
            Description="orgtf sandbox: the organization access role",
        )
        created.append(f"access role {role} in {account} ({org.account(account).id})")
    iam.attach_role_policy(RoleName=role, PolicyArn=ADMIN_POLICY_ARN)


def _ensure_operator(
    iam: IAMClient, operator: OperatorCredentials | None, created: list[str]
) -> OperatorCredentials:
    try:
        iam.get_user(UserName=OPERATOR_USER)
    except iam.exceptions.NoSuchEntityException:
        iam.create_user(UserName=OPERATOR_USER)
        created.append(f"operator user {OPERATOR_USER}")
    iam.attach_user_policy(UserName=OPERATOR_USER, PolicyArn=ADMIN_POLICY_ARN)
    keys = [
        meta["AccessKeyId"]
        for meta in iam.list_access_keys(UserName=OPERATOR_USER)["AccessKeyMetadata"]
    ]
    if operator is not None and operator.access_key_id in keys:
        return operator
    for key_id in keys:  # keys whose secret orgtf no longer has
        iam.delete_access_key(UserName=OPERATOR_USER, AccessKeyId=key_id)
    new = iam.create_access_key(UserName=OPERATOR_USER)["AccessKey"]
    created.append("operator access key")
    return OperatorCredentials(new["AccessKeyId"], new["SecretAccessKey"])


def _ensure_state_backend(
    org: Organization, state: S3State, endpoint: str, created: list[str]
) -> None:
    from botocore.exceptions import ClientError

    region = state.region or org.config.organization.region
    s3 = account_client("s3", endpoint, region, org.master.id)
    try:
        s3.head_bucket(Bucket=state.bucket)
    except ClientError:
        location = {} if region == "us-east-1" else {"LocationConstraint": region}
        extra = {"CreateBucketConfiguration": location} if location else {}
        s3.create_bucket(Bucket=state.bucket, **extra)
        created.append(f"state bucket {state.bucket}")
    s3.put_bucket_versioning(Bucket=state.bucket, VersioningConfiguration={"Status": "Enabled"})
    dynamodb = account_client("dynamodb", endpoint, region, org.master.id)
    try:
        dynamodb.describe_table(TableName=state.lock_table)
    except dynamodb.exceptions.ResourceNotFoundException:
        dynamodb.create_table(
            TableName=state.lock_table,
            KeySchema=[{"AttributeName": "LockID", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "LockID", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        created.append(f"lock table {state.lock_table}")
