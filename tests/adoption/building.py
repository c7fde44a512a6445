"""An organization built by hand in the sandbox, as orgtf import meets real ones."""

from __future__ import annotations

import json
from typing import Any

from orgtf.sandbox.runtime import SandboxTarget
from tests.support.sandbox import client_as_account

MASTER_ID, PROD_ID, DEV_ID, QA_ID = "111111111111", "222222222222", "333333333333", "444444444444"

# What the sandbox needs to start: the accounts, nothing else (import writes the rest).
SEED_ORG = f"""\
organization:
  name: handmade
  master_account: master
accounts:
  master: {{id: "{MASTER_ID}"}}
  prod: {{id: "{PROD_ID}"}}
  dev: {{id: "{DEV_ID}"}}
  qa: {{id: "{QA_ID}"}}
"""


def trust(principal: str, condition: dict[str, Any] | None = None) -> str:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"AWS": principal},
        "Action": "sts:AssumeRole",
    }
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def assume(*arns: str, mfa: bool = False) -> str:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Action": "sts:AssumeRole",
        "Resource": list(arns),
    }
    if mfa:
        statement["Condition"] = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


MASTER_ROOT = f"arn:aws:iam::{MASTER_ID}:root"
MFA = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
DEPLOY_EXTRA = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}],
    }
)


def build_organization(target: SandboxTarget) -> None:
    """Roles with and without MFA in several children, a role trusting a third party, a group
    with an inline grant, one with a managed grant, users in zero, one and two groups."""
    for account in (PROD_ID, DEV_ID):
        iam = client_as_account(target, "iam", account)
        iam.create_role(
            RoleName="Deploy",
            AssumeRolePolicyDocument=trust(MASTER_ROOT),
            Description="Deploys the application",
            MaxSessionDuration=7200,
            Tags=[{"Key": "team", "Value": "platform"}],
        )
        iam.attach_role_policy(
            RoleName="Deploy", PolicyArn="arn:aws:iam::aws:policy/PowerUserAccess"
        )
        extra = iam.create_policy(
            PolicyName="deploy-extra", PolicyDocument=DEPLOY_EXTRA, Description="Lists buckets"
        )
        iam.attach_role_policy(RoleName="Deploy", PolicyArn=extra["Policy"]["Arn"])
    prod = client_as_account(target, "iam", PROD_ID)
    prod.create_role(RoleName="ReadOnly", AssumeRolePolicyDocument=trust(MASTER_ROOT, MFA))
    prod.attach_role_policy(RoleName="ReadOnly", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    prod.create_role(
        RoleName="Vendor", AssumeRolePolicyDocument=trust("arn:aws:iam::999999999999:root")
    )
    master = client_as_account(target, "iam", MASTER_ID)
    for group in ("deployers", "readers", "empty"):
        master.create_group(GroupName=group)
    deploy = [f"arn:aws:iam::{a}:role/Deploy" for a in (PROD_ID, DEV_ID)]
    master.put_group_policy(
        GroupName="deployers", PolicyName="assume-deploy", PolicyDocument=assume(*deploy)
    )
    readonly = master.create_policy(
        PolicyName="assume-readonly",
        PolicyDocument=assume(f"arn:aws:iam::{PROD_ID}:role/ReadOnly", mfa=True),
    )
    master.attach_group_policy(GroupName="readers", PolicyArn=readonly["Policy"]["Arn"])
    for user, groups in {
        "alice": ["deployers", "readers"],
        "bob": ["deployers"],
        "carol": [],
    }.items():
        master.create_user(UserName=user)
        for group in groups:
            master.add_user_to_group(GroupName=group, UserName=user)
    master.create_login_profile(
        UserName="alice", Password="Initial-Passw0rd!", PasswordResetRequired=True
    )
    master.put_user_policy(UserName="carol", PolicyName="own-bucket", PolicyDocument=DEPLOY_EXTRA)
