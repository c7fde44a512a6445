"""modules/identity-groups, rendered by `orgtf render` and applied to the sandbox's master account.

Runs the Terraform the sandbox resolves (ORGTF_TERRAFORM, terraform or tofu on PATH, else the
bundled 1.0.3); test_account_roles.py always uses the bundled 1.0.3, the oldest supported.

Checks the plan (`terraform show -json`) and the emulator's IAM state: groups with exactly the
role ARNs they may assume (MFA where a role needs it), users and their groups, a role in the
master account itself, and a group whose grant outgrows one inline policy (300 accounts) and
is split over several managed policies.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from orgtf.config import load_organization
from orgtf.config.policy import MANAGED_POLICY_SIZE, RoleGrant, grant_document, policy_size
from orgtf.render.tfvars import group_grants
from orgtf.sandbox.target import SandboxTarget
from tests.support.module_roots import Root, changes, render, rendered_sandbox
from tests.support.sandbox import operator_client, terraform_env

pytestmark = pytest.mark.sandbox

MASTER_ID = "210987654321"
ALPHA_ID = "311111111111"
BETA_ID = "322222222222"
HOSTILE = 'Deploys ${var.x} "ledger" %{ if true }x%{ endif }'
CHANGE_PASSWORD = "arn:aws:iam::aws:policy/IAMUserChangePassword"
GROUPS = "module.identity_groups"
READER_ARNS = [f"arn:aws:iam::{ALPHA_ID}:role/Reader", f"arn:aws:iam::{BETA_ID}:role/Reader"]
ADMIN_ARN = f"arn:aws:iam::{ALPHA_ID}:role/admin/Admin"
MEMBERS = 300
SELF = "orgtf-self-service"  # organization.self_service, on by default: every user is in it


def organization() -> dict[str, Any]:
    return {
        "organization": {"name": "groups", "master_account": "master"},
        "accounts": {
            "master": {"id": MASTER_ID},
            "alpha": {"id": ALPHA_ID},
            "beta": {"id": BETA_ID},
        },
        "roles": {
            "Reader": {"accounts": ["alpha", "beta"]},
            "Admin": {"accounts": ["alpha"], "require_mfa": True, "path": "/admin/"},
            "Local": {"accounts": ["master"], "description": HOSTILE},
        },
        "groups": {
            "readers": {"description": HOSTILE, "roles": ["alpha/Reader", "beta/Reader"]},
            "admins": {
                "roles": ["alpha/Admin", "alpha/Reader"],
                "managed_policy_arns": [CHANGE_PASSWORD],
            },
            "nobody": {},
        },
        "users": {
            "ana": {"groups": ["readers", "admins"], "tags": {"team": "x=y+z@a:b/c"}},
            "ben": {"groups": ["readers"], "path": "/people/"},
            "cy": {},
        },
    }


def grown(data: dict[str, Any]) -> dict[str, Any]:
    """The organization with 300 more accounts whose Auditor role the readers may assume."""
    members = [f"member-{i:03d}" for i in range(MEMBERS)]
    for index, name in enumerate(members):
        data["accounts"][name] = {"id": str(400000000000 + index)}
    data["roles"]["Auditor"] = {"accounts": members, "path": "/audit/"}
    data["groups"]["readers"]["roles"] += [f"{name}/Auditor" for name in members]
    data["users"]["ana"]["groups"] = ["readers"]
    del data["users"]["cy"]
    return data


def master_iam(target: SandboxTarget) -> Any:
    """An IAM client with the operator's own credentials: the master account."""
    return operator_client(target, "iam")


def grant(role_arns: list[str], mfa_role_arns: list[str]) -> dict[str, Any]:
    grants = [RoleGrant(a, False) for a in role_arns] + [RoleGrant(a, True) for a in mfa_role_arns]
    return grant_document(grants)


def master_root(project: Path, target: SandboxTarget) -> Root:
    """The master account's root of ``project``, driven by the Terraform the sandbox uses."""
    return Root(project / "environments" / "master", target.terraform.path, terraform_env(target))


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, SandboxTarget]]:
    """The organization rendered, with a sandbox the tests below only read after applying."""
    with rendered_sandbox(tmp_path_factory.mktemp("identity-groups"), organization()) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def root(sandbox: tuple[Path, SandboxTarget]) -> Root:
    return master_root(*sandbox)


@pytest.fixture(scope="module")
def first_plan(root: Root) -> dict[str, Any]:
    plan = root.plan()
    root.apply()
    return plan


def test_plan_has_groups_grants_users_and_the_master_role(first_plan: dict[str, Any]) -> None:
    planned = changes(first_plan)
    assert all(change["actions"] == ["create"] for change in planned.values())
    assert {a for a in planned if ".aws_iam_group." in a} == {
        f'{GROUPS}.aws_iam_group.this["{name}"]' for name in ("admins", "nobody", "readers")
    } | {f"{GROUPS}.aws_iam_group.self_service[0]"}
    assert {a for a in planned if "aws_iam_group_policy." in a} == {
        f'{GROUPS}.aws_iam_group_policy.assume_roles["admins/inline"]',
        f'{GROUPS}.aws_iam_group_policy.assume_roles["readers/inline"]',
        f"{GROUPS}.aws_iam_group_policy.self_service[0]",
    }
    readers = planned[f'{GROUPS}.aws_iam_group_policy.assume_roles["readers/inline"]']["after"]
    assert json.loads(readers["policy"]) == grant(READER_ARNS, [])
    assert readers["name"] == "orgtf-assume-roles"
    assert (
        f'{GROUPS}.aws_iam_group_policy_attachment.managed["admins/{CHANGE_PASSWORD}"]' in planned
    )
    assert not any("aws_iam_policy.assume_roles" in a for a in planned)
    # moto deletes users with credentials anyway; AWS needs force_destroy to offboard them.
    assert planned[f'{GROUPS}.aws_iam_user.this["cy"]']["after"]["force_destroy"] is True
    local = planned['module.account_roles.aws_iam_role.this["Local"]']["after"]
    assert local["description"] == HOSTILE


def test_each_group_may_assume_exactly_its_roles(
    sandbox: tuple[Path, SandboxTarget], first_plan: dict[str, Any]
) -> None:
    iam = master_iam(sandbox[1])
    readers = iam.get_group_policy(GroupName="readers", PolicyName="orgtf-assume-roles")
    assert readers["PolicyDocument"] == grant(READER_ARNS, [])
    admins = iam.get_group_policy(GroupName="admins", PolicyName="orgtf-assume-roles")
    document = admins["PolicyDocument"]
    assert document == grant([READER_ARNS[0]], [ADMIN_ARN])
    with_mfa = next(s for s in document["Statement"] if s["Sid"] == "AssumeRolesWithMFA")
    assert with_mfa["Resource"] == [ADMIN_ARN]
    assert with_mfa["Condition"] == {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    assert iam.list_group_policies(GroupName="nobody")["PolicyNames"] == []
    attached = iam.list_attached_group_policies(GroupName="admins")["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [CHANGE_PASSWORD]
    assert iam.list_attached_group_policies(GroupName="readers")["AttachedPolicies"] == []


def test_users_and_their_groups(
    sandbox: tuple[Path, SandboxTarget], first_plan: dict[str, Any]
) -> None:
    iam = master_iam(sandbox[1])

    def groups_of(user: str) -> set[str]:
        return {g["GroupName"] for g in iam.list_groups_for_user(UserName=user)["Groups"]}

    assert groups_of("ana") == {"readers", "admins", SELF}
    assert groups_of("ben") == {"readers", SELF}
    assert groups_of("cy") == {SELF}
    ben = iam.get_user(UserName="ben")["User"]
    assert ben["Arn"] == f"arn:aws:iam::{MASTER_ID}:user/people/ben"
    ana = iam.get_user(UserName="ana")["User"]
    assert {t["Key"]: t["Value"] for t in ana["Tags"]} == {
        "team": "x=y+z@a:b/c",
        "ManagedBy": "orgtf",
    }
    role = iam.get_role(RoleName="Local")["Role"]
    assert role["Description"] == HOSTILE
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {
        "AWS": f"arn:aws:iam::{MASTER_ID}:root"
    }


def test_outputs_and_a_clean_second_plan(root: Root, first_plan: dict[str, Any]) -> None:
    outputs = json.loads(root("output", "-json"))
    groups = outputs["groups"]["value"]
    assert groups["admins"]["assumable_role_arns"] == sorted([ADMIN_ARN, READER_ARNS[0]])
    assert groups["readers"]["assumable_role_arns"] == READER_ARNS
    assert groups["readers"]["description"] == HOSTILE
    assert groups["readers"]["arn"] == f"arn:aws:iam::{MASTER_ID}:group/readers"
    assert groups["nobody"]["assumable_role_arns"] == []
    assert groups["readers"]["grant_policy_arns"] == []
    users = outputs["users"]["value"]
    assert users["ana"]["groups"] == ["admins", "readers"]
    assert users["ben"]["arn"] == f"arn:aws:iam::{MASTER_ID}:user/people/ben"
    assert outputs["roles"]["value"]["Local"]["require_mfa"] is False
    assert root.is_clean()


def test_a_grant_over_300_accounts_is_split_and_removed_users_are_offboarded(
    tmp_path: Path,
) -> None:
    # A sandbox of its own: the users and grants it changes stay for the tests that read.
    with rendered_sandbox(tmp_path / "project", organization()) as (project, target):
        root = master_root(project, target)
        root.plan()
        root.apply()
        check_grown(project, target, root)


def check_grown(project: Path, target: SandboxTarget, root: Root) -> None:
    """Applied as organization(): grow it to 300 more accounts and drop cy."""
    # cy set up a password and an access key; removing cy from org.yaml must still work.
    master_iam(target).create_login_profile(UserName="cy", Password="Correct-Horse-9")
    master_iam(target).create_access_key(UserName="cy")
    data = grown(organization())
    render(project, data)
    expected = sorted(
        READER_ARNS
        + [f"arn:aws:iam::{400000000000 + i}:role/audit/Auditor" for i in range(MEMBERS)]
    )
    org = load_organization(project / "org.yaml")
    chunks = len(group_grants(org, org.config.groups["readers"]).chunks)
    assert chunks >= 3
    planned = changes(root.plan())
    assert planned[f'{GROUPS}.aws_iam_group_policy.assume_roles["readers/inline"]']["actions"] == [
        "delete"
    ]
    policies = {a: c["after"] for a, c in planned.items() if "aws_iam_policy.assume_roles" in a}
    assert sorted(p["name"] for p in policies.values()) == sorted(
        f"orgtf-readers-assume-roles-{n}" for n in range(1, chunks + 1)
    )
    planned_arns: list[str] = []
    for after in policies.values():
        assert policy_size(json.loads(after["policy"])) <= MANAGED_POLICY_SIZE
        for statement in json.loads(after["policy"])["Statement"]:
            planned_arns += statement["Resource"]
    assert sorted(planned_arns) == expected
    root.apply()

    iam = master_iam(target)
    assert iam.list_group_policies(GroupName="readers")["PolicyNames"] == []
    attached = iam.list_attached_group_policies(GroupName="readers")["AttachedPolicies"]
    assert len(attached) == chunks
    granted: list[str] = []
    for policy in attached:
        version = iam.get_policy(PolicyArn=policy["PolicyArn"])["Policy"]["DefaultVersionId"]
        document = iam.get_policy_version(PolicyArn=policy["PolicyArn"], VersionId=version)
        for statement in document["PolicyVersion"]["Document"]["Statement"]:
            assert statement["Action"] == "sts:AssumeRole"
            granted += statement["Resource"]
    assert sorted(granted) == expected
    assert {g["GroupName"] for g in iam.list_groups_for_user(UserName="ana")["Groups"]} == {
        "readers",
        SELF,
    }
    with pytest.raises(ClientError, match="NoSuchEntity"):
        iam.get_user(UserName="cy")
    outputs = json.loads(root("output", "-json"))["groups"]["value"]
    assert outputs["readers"]["assumable_role_arns"] == expected
    assert len(outputs["readers"]["grant_policy_arns"]) == chunks
    assert root.is_clean()
