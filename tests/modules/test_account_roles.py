"""modules/account-roles, rendered by `orgtf render` and applied with Terraform 1.0.3 to the sandbox.

Checks the plan (`terraform show -json`) and then the emulator's IAM state, as the child
account sees it through the access role: trust policies with and without MFA (the role's own,
or its account's), narrowed to the master's IAM users plus a CI role or not, attachments,
named and inline policies, a hostile description that must arrive verbatim, and removals.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from orgtf.config.policy import trust_policy
from orgtf.sandbox.target import SandboxTarget
from orgtf.terraform.binary import bundled_terraform
from tests.support.module_roots import Root, changes, render, rendered_sandbox
from tests.support.sandbox import assumed_client, terraform_env

pytestmark = pytest.mark.sandbox

MASTER_ID = "210987654321"
ALPHA_ID = "311111111111"
BETA_ID = "322222222222"
CI = f"arn:aws:iam::{MASTER_ID}:role/ci/Deployer"
HOSTILE = 'Deploys ${var.x} "ledger" %{ if true }x%{ endif }'
READ_LOGS = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["logs:GetLogEvents"],
            "Resource": "arn:aws:logs:*:*:log-group:/app/${aws:username}:*",
        }
    ],
}
INLINE = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}],
}
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
POWER_USER = "arn:aws:iam::aws:policy/PowerUserAccess"
ROLES = "module.account_roles"


def organization() -> dict[str, Any]:
    return {
        "organization": {
            "name": "modtest",
            "master_account": "master",
            "trust": {"principals": "iam_users", "extra_principals": [CI]},
        },
        "accounts": {
            "master": {"id": MASTER_ID},
            "alpha": {"id": ALPHA_ID},
            "beta": {"id": BETA_ID, "protected": True, "require_mfa": True},
        },
        "policies": {
            "read-logs": {"description": "Read app logs", "path": "/orgtf/", "document": READ_LOGS}
        },
        "roles": {
            "Deployer": {
                "accounts": ["alpha", "beta"],
                "description": HOSTILE,
                "managed_policy_arns": [READ_ONLY, POWER_USER],
                "max_session_duration": 7200,
                "path": "/deploy/",
                "permissions_boundary": POWER_USER,
                "tags": {"team": "ledger", "note": "x=y+z@a:b/c"},
                "trust": {"principals": "any"},  # the organization's, not narrowed
            },
            "Breakglass": {
                "accounts": ["alpha"],
                "require_mfa": True,
                "mfa_max_age": 900,
                "policies": ["read-logs"],
                "inline_policy": INLINE,
            },
        },
    }


def iam_in(target: SandboxTarget, account_id: str) -> Any:
    """An IAM client acting in ``account_id`` through its access role, as Terraform does."""
    role = f"arn:aws:iam::{account_id}:role/OrganizationAccountAccessRole"
    return assumed_client(target, "iam", role)


def roots_of(project: Path, target: SandboxTarget) -> dict[str, Root]:
    """The alpha and beta roots of ``project``, driven by the bundled Terraform."""
    terraform = bundled_terraform()  # the oldest Terraform orgtf supports
    assert terraform is not None
    env = terraform_env(target)
    return {
        name: Root(project / "environments" / name, terraform, env) for name in ("alpha", "beta")
    }


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, SandboxTarget]]:
    """The organization rendered, with a sandbox the tests below only read after applying."""
    with rendered_sandbox(tmp_path_factory.mktemp("account-roles"), organization()) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def roots(sandbox: tuple[Path, SandboxTarget]) -> dict[str, Root]:
    return roots_of(*sandbox)


@pytest.fixture(scope="module")
def alpha_plan(roots: dict[str, Root]) -> dict[str, Any]:
    plan = roots["alpha"].plan()
    roots["alpha"].apply()
    return plan


@pytest.fixture(scope="module")
def beta_plan(roots: dict[str, Root]) -> dict[str, Any]:
    plan = roots["beta"].plan()
    roots["beta"].apply()
    return plan


def breakglass_trust() -> dict[str, Any]:
    """The organization's trust, narrowed to IAM users and the CI role, with MFA (900 s)."""
    return trust_policy(MASTER_ID, True, 900, principals="iam_users", extra_principals=[CI])


def test_plan_creates_roles_policies_and_attachments(alpha_plan: dict[str, Any]) -> None:
    planned = changes(alpha_plan)
    assert {address: change["actions"] for address, change in planned.items()} == {
        f'{ROLES}.aws_iam_role.this["Deployer"]': ["create"],
        f'{ROLES}.aws_iam_role.this["Breakglass"]': ["create"],
        f'{ROLES}.aws_iam_policy.named["read-logs"]': ["create"],
        f'{ROLES}.aws_iam_role_policy.inline["Breakglass"]': ["create"],
        f'{ROLES}.aws_iam_role_policy_attachment.managed["Deployer/{READ_ONLY}"]': ["create"],
        f'{ROLES}.aws_iam_role_policy_attachment.managed["Deployer/{POWER_USER}"]': ["create"],
        f'{ROLES}.aws_iam_role_policy_attachment.named["Breakglass/read-logs"]': ["create"],
    }
    breakglass = planned[f'{ROLES}.aws_iam_role.this["Breakglass"]']["after"]
    assert json.loads(breakglass["assume_role_policy"]) == breakglass_trust()
    deployer = planned[f'{ROLES}.aws_iam_role.this["Deployer"]']["after"]
    assert json.loads(deployer["assume_role_policy"]) == trust_policy(MASTER_ID, False, 3600)
    assert deployer["description"] == HOSTILE
    assert deployer["tags"] == {"team": "ledger", "note": "x=y+z@a:b/c"}
    assert deployer["permissions_boundary"] == POWER_USER
    policy = planned[f'{ROLES}.aws_iam_policy.named["read-logs"]']["after"]
    assert json.loads(policy["policy"]) == READ_LOGS


def test_roles_do_not_use_the_exclusive_attributes(alpha_plan: dict[str, Any]) -> None:
    module = alpha_plan["configuration"]["root_module"]["module_calls"]["account_roles"]["module"]
    role = next(r for r in module["resources"] if r["address"] == "aws_iam_role.this")
    assert "managed_policy_arns" not in role["expressions"]
    assert "inline_policy" not in role["expressions"]


def test_trust_policies_in_the_emulator(
    sandbox: tuple[Path, SandboxTarget], alpha_plan: dict[str, Any]
) -> None:
    iam = iam_in(sandbox[1], ALPHA_ID)
    breakglass = iam.get_role(RoleName="Breakglass")["Role"]
    assert breakglass["AssumeRolePolicyDocument"] == breakglass_trust()
    mfa = {
        "Bool": {"aws:MultiFactorAuthPresent": "true"},
        "NumericLessThan": {"aws:MultiFactorAuthAge": "900"},
    }
    assert breakglass["AssumeRolePolicyDocument"]["Statement"] == [
        {
            "Sid": "MasterAccountUsers",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{MASTER_ID}:root"},
            "Action": "sts:AssumeRole",
            "Condition": {
                **mfa,
                "StringEquals": {"aws:PrincipalType": "User"},
                "ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{MASTER_ID}:user/*"},
            },
        },
        {
            "Sid": "ExtraPrincipals",
            "Effect": "Allow",
            "Principal": {"AWS": [CI]},
            "Action": "sts:AssumeRole",
            "Condition": mfa,
        },
    ]
    deployer = iam.get_role(RoleName="Deployer")["Role"]
    assert deployer["AssumeRolePolicyDocument"] == trust_policy(MASTER_ID, False, 3600)
    assert deployer["Arn"] == f"arn:aws:iam::{ALPHA_ID}:role/deploy/Deployer"


def test_hostile_description_arrives_verbatim(
    sandbox: tuple[Path, SandboxTarget], alpha_plan: dict[str, Any]
) -> None:
    role = iam_in(sandbox[1], ALPHA_ID).get_role(RoleName="Deployer")["Role"]
    assert role["Description"] == HOSTILE
    assert role["MaxSessionDuration"] == 7200
    assert role["Path"] == "/deploy/"
    assert role["PermissionsBoundary"]["PermissionsBoundaryArn"] == POWER_USER
    tags = {t["Key"]: t["Value"] for t in role["Tags"]}
    assert tags == {"team": "ledger", "note": "x=y+z@a:b/c", "ManagedBy": "orgtf"}


def test_attachments_and_policies_in_the_emulator(
    sandbox: tuple[Path, SandboxTarget], alpha_plan: dict[str, Any]
) -> None:
    iam = iam_in(sandbox[1], ALPHA_ID)
    attached = iam.list_attached_role_policies(RoleName="Deployer")["AttachedPolicies"]
    assert {p["PolicyArn"] for p in attached} == {READ_ONLY, POWER_USER}
    read_logs = f"arn:aws:iam::{ALPHA_ID}:policy/orgtf/read-logs"
    attached = iam.list_attached_role_policies(RoleName="Breakglass")["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [read_logs]
    policy = iam.get_policy(PolicyArn=read_logs)["Policy"]
    assert policy["Description"] == "Read app logs"
    version = iam.get_policy_version(PolicyArn=read_logs, VersionId=policy["DefaultVersionId"])
    assert version["PolicyVersion"]["Document"] == READ_LOGS
    assert iam.list_role_policies(RoleName="Breakglass")["PolicyNames"] == ["orgtf-inline"]
    inline = iam.get_role_policy(RoleName="Breakglass", PolicyName="orgtf-inline")
    assert inline["PolicyDocument"] == INLINE
    assert iam.list_role_policies(RoleName="Deployer")["PolicyNames"] == []


def test_outputs_and_a_clean_second_plan(
    roots: dict[str, Root], alpha_plan: dict[str, Any]
) -> None:
    outputs = json.loads(roots["alpha"]("output", "-json"))
    roles = outputs["roles"]["value"]
    assert roles["Breakglass"]["require_mfa"] is True
    assert roles["Breakglass"]["arn"] == f"arn:aws:iam::{ALPHA_ID}:role/Breakglass"
    assert roles["Deployer"]["max_session_duration"] == 7200
    assert roles["Deployer"]["unique_id"].startswith("AROA")
    assert set(roles["Deployer"]) == {
        "name",
        "arn",
        "unique_id",
        "max_session_duration",
        "require_mfa",
    }
    assert outputs["account"]["value"] == {"name": "alpha", "id": ALPHA_ID}
    assert roots["alpha"].is_clean()


def test_the_same_role_lands_in_each_of_its_accounts(
    sandbox: tuple[Path, SandboxTarget], alpha_plan: dict[str, Any], beta_plan: dict[str, Any]
) -> None:
    role = iam_in(sandbox[1], BETA_ID).get_role(RoleName="Deployer")["Role"]
    assert role["Arn"] == f"arn:aws:iam::{BETA_ID}:role/deploy/Deployer"
    assert role["Description"] == HOSTILE
    with pytest.raises(ClientError, match="NoSuchEntity"):
        iam_in(sandbox[1], BETA_ID).get_role(RoleName="Breakglass")


def test_an_account_requiring_mfa_puts_the_condition_in_its_roles_trust(
    sandbox: tuple[Path, SandboxTarget], roots: dict[str, Root], beta_plan: dict[str, Any]
) -> None:
    # Deployer says nothing of MFA: beta requires it, alpha does not.
    planned = changes(beta_plan)[f'{ROLES}.aws_iam_role.this["Deployer"]']["after"]
    assert json.loads(planned["assume_role_policy"]) == trust_policy(MASTER_ID, True, 3600)
    role = iam_in(sandbox[1], BETA_ID).get_role(RoleName="Deployer")["Role"]
    assert role["AssumeRolePolicyDocument"]["Statement"] == [
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{MASTER_ID}:root"},
            "Action": "sts:AssumeRole",
            "Condition": {
                "Bool": {"aws:MultiFactorAuthPresent": "true"},
                "NumericLessThan": {"aws:MultiFactorAuthAge": "3600"},
            },
        }
    ]
    outputs = json.loads(roots["beta"]("output", "-json"))
    assert outputs["roles"]["value"]["Deployer"]["require_mfa"] is True
    assert roots["beta"].is_clean()


def test_removed_roles_are_destroyed_even_the_last_one_of_an_account(tmp_path: Path) -> None:
    # A sandbox of its own: the roles it removes stay for the tests that read the module's.
    with rendered_sandbox(tmp_path / "project", organization()) as (project, target):
        roots = roots_of(project, target)
        for root in roots.values():
            root.plan()
            root.apply()
        check_removals(project, target, roots)


def check_removals(project: Path, target: SandboxTarget, roots: dict[str, Root]) -> None:
    """Both accounts applied: remove Breakglass, and Deployer from beta (its last role)."""
    # Attached by hand: the role must still be deleted (force_detach_policies).
    iam_in(target, ALPHA_ID).attach_role_policy(RoleName="Breakglass", PolicyArn=READ_ONLY)
    data = organization()
    del data["roles"]["Breakglass"], data["policies"]["read-logs"]
    data["roles"]["Deployer"]["accounts"] = ["alpha"]
    render(project, data)
    alpha = changes(roots["alpha"].plan())
    assert {a for a, c in alpha.items() if c["actions"] == ["delete"]} == {
        f'{ROLES}.aws_iam_role.this["Breakglass"]',
        f'{ROLES}.aws_iam_policy.named["read-logs"]',
        f'{ROLES}.aws_iam_role_policy.inline["Breakglass"]',
        f'{ROLES}.aws_iam_role_policy_attachment.named["Breakglass/read-logs"]',
    }
    roots["alpha"].apply()
    beta = changes(roots["beta"].plan())
    assert sorted(beta) == [
        f'{ROLES}.aws_iam_role.this["Deployer"]',
        f'{ROLES}.aws_iam_role_policy_attachment.managed["Deployer/{POWER_USER}"]',
        f'{ROLES}.aws_iam_role_policy_attachment.managed["Deployer/{READ_ONLY}"]',
    ]
    assert all(change["actions"] == ["delete"] for change in beta.values())
    roots["beta"].apply()
    alpha_iam, beta_iam = iam_in(target, ALPHA_ID), iam_in(target, BETA_ID)
    with pytest.raises(ClientError, match="NoSuchEntity"):
        alpha_iam.get_role(RoleName="Breakglass")
    with pytest.raises(ClientError, match="NoSuchEntity"):
        alpha_iam.get_policy(PolicyArn=f"arn:aws:iam::{ALPHA_ID}:policy/orgtf/read-logs")
    assert alpha_iam.get_role(RoleName="Deployer")["Role"]["Description"] == HOSTILE
    with pytest.raises(ClientError, match="NoSuchEntity"):
        beta_iam.get_role(RoleName="Deployer")
    assert roots["alpha"].is_clean() and roots["beta"].is_clean()
