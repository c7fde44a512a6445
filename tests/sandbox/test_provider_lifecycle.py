"""The stand-in provider driven by real Terraform 1.0.3 against a real moto server."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support.provider import (
    DEFAULT_ACCOUNT,
    InitializedMirror,
    MotoServer,
    Terraform,
    boto_client,
    decoy_server,
    provider_block,
)

pytestmark = pytest.mark.sandbox

MEMBER_ACCOUNT = "111111111111"
TRUST = """{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
  ]
}"""
# The same trust policy: other key order, other whitespace, one-element lists.
TRUST_REORDERED = """{"Statement":[{"Action":["sts:AssumeRole"],
  "Principal":{"Service":["ec2.amazonaws.com"]},"Effect":"Allow"}],"Version":"2012-10-17"}"""
READ_S3 = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}'
READ_S3_REORDERED = (
    '{ "Statement": [ { "Resource": ["*"], "Action": "s3:GetObject", "Effect": "Allow" } ],'
    ' "Version": "2012-10-17" }'
)
LIST_IAM = (
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:List*","Resource":"*"}]}'
)
OTHER = '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}'


def main_config(
    moto: MotoServer, role: str = "app-role", trust: str = TRUST, s3: str = READ_S3
) -> str:
    return (
        provider_block(moto.url, '  default_tags {\n    tags = { ManagedBy = "orgtf" }\n  }\n')
        + f"""
resource "aws_iam_role" "app" {{
  name               = "{role}"
  description        = "application role"
  assume_role_policy = <<-EOT
{trust}
EOT
  tags = {{ Team = "platform" }}
}}

resource "aws_iam_role_policy" "app" {{
  name   = "inline"
  role   = aws_iam_role.app.id
  policy = <<-EOT
{s3}
EOT
}}

resource "aws_iam_policy" "readonly" {{
  name        = "readonly"
  description = "read only"
  policy      = {json.dumps(LIST_IAM)}
}}

resource "aws_iam_role_policy_attachment" "app" {{
  role       = aws_iam_role.app.name
  policy_arn = aws_iam_policy.readonly.arn
}}

resource "aws_iam_group" "devs" {{
  name = "devs"
}}

resource "aws_iam_group" "ops" {{
  name = "ops"
}}

resource "aws_iam_group_policy" "devs" {{
  name   = "devs-inline"
  group  = aws_iam_group.devs.name
  policy = {json.dumps(READ_S3)}
}}

resource "aws_iam_group_policy_attachment" "devs" {{
  group      = aws_iam_group.devs.name
  policy_arn = aws_iam_policy.readonly.arn
}}

resource "aws_iam_user" "alice" {{
  name = "alice"
}}

resource "aws_iam_group_membership" "devs" {{
  name  = "devs-members"
  group = aws_iam_group.devs.name
  users = [aws_iam_user.alice.name]
}}

resource "aws_iam_user_group_membership" "alice" {{
  user   = aws_iam_user.alice.name
  groups = [aws_iam_group.ops.name]
}}

data "aws_caller_identity" "me" {{}}

output "account_id" {{
  value = data.aws_caller_identity.me.account_id
}}
"""
    )


def actions(plan: dict[str, Any]) -> dict[str, list[str]]:
    """Resource address -> planned actions, leaving out no-ops."""
    return {
        rc["address"]: rc["change"]["actions"]
        for rc in plan.get("resource_changes", [])
        if rc["change"]["actions"] not in (["no-op"], ["read"])
    }


def resources(state: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Resource address -> attribute values from ``terraform show -json``."""
    return {
        r["address"]: r["values"]
        for r in state.get("values", {}).get("root_module", {}).get("resources", [])
    }


def assert_clean(terraform: Terraform) -> None:
    code, plan = terraform.plan_json()
    assert (code, actions(plan)) == (0, {})


def test_full_lifecycle(moto: MotoServer, mirror: InitializedMirror) -> None:
    moto.reset()
    iam = boto_client("iam", moto.url)
    terraform = mirror.workspace("lifecycle", main_config(moto), {})

    terraform.apply()
    check_created(iam, terraform)
    assert_clean(terraform)

    terraform.write(main_config(moto, trust=TRUST_REORDERED, s3=READ_S3_REORDERED))
    assert_clean(terraform)

    check_drift(iam, terraform)
    check_rename(iam, terraform, moto)
    check_import(iam, terraform)

    terraform.run("destroy", "-auto-approve", "-no-color")
    assert iam.list_roles()["Roles"] == []
    assert iam.list_users()["Users"] == []
    assert iam.list_groups()["Groups"] == []
    assert iam.list_policies(Scope="Local")["Policies"] == []


def check_created(iam: Any, terraform: Terraform) -> None:
    role = iam.get_role(RoleName="app-role")["Role"]
    assert role["Description"] == "application role"
    assert {t["Key"]: t["Value"] for t in role["Tags"]} == {
        "ManagedBy": "orgtf",
        "Team": "platform",
    }
    assert iam.list_role_policies(RoleName="app-role")["PolicyNames"] == ["inline"]
    attached = iam.list_attached_role_policies(RoleName="app-role")["AttachedPolicies"]
    policy_arn = f"arn:aws:iam::{DEFAULT_ACCOUNT}:policy/readonly"
    assert [p["PolicyArn"] for p in attached] == [policy_arn]
    assert iam.get_group_policy(GroupName="devs", PolicyName="devs-inline")
    assert [u["UserName"] for u in iam.get_group(GroupName="devs")["Users"]] == ["alice"]
    groups = iam.list_groups_for_user(UserName="alice")["Groups"]
    assert sorted(g["GroupName"] for g in groups) == ["devs", "ops"]

    state = resources(terraform.state())
    app = state["aws_iam_role.app"]
    assert app["id"] == "app-role"
    assert app["arn"] == f"arn:aws:iam::{DEFAULT_ACCOUNT}:role/app-role"
    assert (app["path"], app["max_session_duration"], app["force_detach_policies"]) == (
        "/",
        3600,
        False,
    )
    assert app["tags"] == {"Team": "platform"}
    assert app["tags_all"] == {"ManagedBy": "orgtf", "Team": "platform"}
    assert json.loads(app["assume_role_policy"]) == json.loads(TRUST)
    assert state["aws_iam_role_policy.app"]["id"] == "app-role:inline"
    assert state["aws_iam_role_policy_attachment.app"]["id"] == f"app-role/{policy_arn}"
    assert state["aws_iam_policy.readonly"]["id"] == policy_arn
    attachment_id = state["aws_iam_group_policy_attachment.devs"]["id"]
    assert attachment_id.startswith("devs-") and len(attachment_id) == len("devs-") + 26
    assert state["aws_iam_user_group_membership.alice"]["id"].startswith("terraform-")
    assert state["aws_iam_group_membership.devs"]["id"] == "devs-members"
    assert terraform.state()["values"]["outputs"]["account_id"]["value"] == DEFAULT_ACCOUNT


def check_drift(iam: Any, terraform: Terraform) -> None:
    iam.update_role(RoleName="app-role", Description="changed by hand")
    iam.put_role_policy(RoleName="app-role", PolicyName="inline", PolicyDocument=OTHER)
    iam.delete_group_policy(GroupName="devs", PolicyName="devs-inline")
    code, plan = terraform.plan_json()
    assert code == 2
    assert actions(plan) == {
        "aws_iam_role.app": ["update"],
        "aws_iam_role_policy.app": ["update"],
        "aws_iam_group_policy.devs": ["create"],
    }
    terraform.apply()
    assert iam.get_role(RoleName="app-role")["Role"]["Description"] == "application role"
    assert_clean(terraform)


def check_rename(iam: Any, terraform: Terraform, moto: MotoServer) -> None:
    terraform.write(main_config(moto, role="app-role-2"))
    code, plan = terraform.plan_json()
    assert code == 2
    planned = actions(plan)
    assert planned["aws_iam_role.app"] in (["delete", "create"], ["create", "delete"])
    assert planned["aws_iam_role_policy.app"] == ["delete", "create"]
    assert planned["aws_iam_role_policy_attachment.app"] == ["delete", "create"]
    terraform.apply()
    assert [r["RoleName"] for r in iam.list_roles()["Roles"]] == ["app-role-2"]
    assert_clean(terraform)


def check_import(iam: Any, terraform: Terraform) -> None:
    iam.create_role(RoleName="hand-made", AssumeRolePolicyDocument=TRUST, Description="by hand")
    iam.put_role_policy(RoleName="hand-made", PolicyName="hand-inline", PolicyDocument=READ_S3)
    extra = f"""
resource "aws_iam_role" "imported" {{
  name               = "hand-made"
  description        = "by hand"
  assume_role_policy = {json.dumps(TRUST_REORDERED)}
}}

resource "aws_iam_role_policy" "imported" {{
  name   = "hand-inline"
  role   = aws_iam_role.imported.id
  policy = {json.dumps(READ_S3)}
}}
"""
    terraform.write(extra, "imported.tf")
    terraform.run("import", "-no-color", "aws_iam_role.imported", "hand-made")
    terraform.run("import", "-no-color", "aws_iam_role_policy.imported", "hand-made:hand-inline")
    state = resources(terraform.state())
    assert state["aws_iam_role.imported"]["id"] == "hand-made"
    assert state["aws_iam_role_policy.imported"]["id"] == "hand-made:hand-inline"
    code, plan = terraform.plan_json()
    # Only the default tag is new: the hand-made role lacks ManagedBy.
    assert (code, actions(plan)) == (2, {"aws_iam_role.imported": ["update"]})
    terraform.apply()
    assert_clean(terraform)


def test_assume_role_acts_in_the_role_account(moto: MotoServer, mirror: InitializedMirror) -> None:
    moto.reset()
    member_iam = boto_client("iam", moto.url, account=MEMBER_ACCOUNT)
    member_iam.create_role(RoleName="deployer", AssumeRolePolicyDocument=TRUST)
    body = f"""  allowed_account_ids = ["{MEMBER_ACCOUNT}"]
  assume_role {{
    role_arn     = "arn:aws:iam::{MEMBER_ACCOUNT}:role/deployer"
    session_name = "orgtf-test"
    duration     = "1h"
  }}
"""
    config = (
        provider_block(moto.url, body)
        + f"""
resource "aws_iam_role" "member" {{
  name               = "in-member"
  assume_role_policy = {json.dumps(TRUST)}
}}

data "aws_caller_identity" "me" {{}}

output "account_id" {{
  value = data.aws_caller_identity.me.account_id
}}
"""
    )
    terraform = mirror.workspace("assume-role", config, {})
    terraform.apply()
    role = member_iam.get_role(RoleName="in-member")["Role"]
    assert role["Arn"] == f"arn:aws:iam::{MEMBER_ACCOUNT}:role/in-member"
    default_roles = boto_client("iam", moto.url).list_roles()["Roles"]
    assert "in-member" not in [r["RoleName"] for r in default_roles]
    assert terraform.state()["values"]["outputs"]["account_id"]["value"] == MEMBER_ACCOUNT
    terraform.run("destroy", "-auto-approve", "-no-color")
    assert [r["RoleName"] for r in member_iam.list_roles()["Roles"]] == ["deployer"]


def caller_identity_config(provider: str) -> str:
    return provider + '\ndata "aws_caller_identity" "me" {}\n'


def test_account_not_allowed(moto: MotoServer, mirror: InitializedMirror) -> None:
    body = '  allowed_account_ids = ["999999999999"]\n'
    config = caller_identity_config(provider_block(moto.url, body))
    terraform = mirror.workspace("not-allowed", config, {})
    result = terraform.run("plan", "-no-color", ok=(1,))
    assert f"AWS account ID not allowed: {DEFAULT_ACCOUNT}" in result.output


def test_non_loopback_endpoint_is_refused(mirror: InitializedMirror) -> None:
    config = caller_identity_config(provider_block("http://10.1.2.3:5000"))
    terraform = mirror.workspace("non-loopback", config, {})
    result = terraform.run("plan", "-no-color", ok=(1,))
    assert "Refusing non-loopback AWS endpoint" in result.output
    assert "10.1.2.3" in result.output
    assert "never for real AWS" in result.output


def test_env_endpoint_is_guarded_too(mirror: InitializedMirror) -> None:
    provider = 'provider "aws" {\n  region = "us-east-1"\n}\n'
    env = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
        "AWS_ENDPOINT_URL_IAM": "https://iam.amazonaws.com",
    }
    terraform = mirror.workspace("env-guard", caller_identity_config(provider), env)
    result = terraform.run("plan", "-no-color", ok=(1,))
    assert "AWS_ENDPOINT_URL_IAM" in result.output
    assert "never for real AWS" in result.output


def test_no_endpoint_at_all_is_refused(mirror: InitializedMirror) -> None:
    provider = 'provider "aws" {\n  region = "us-east-1"\n}\n'
    env = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    terraform = mirror.workspace("no-endpoint", caller_identity_config(provider), env)
    result = terraform.run("plan", "-no-color", ok=(1,))
    assert "No endpoint configured for iam" in result.output


def test_env_endpoints_and_credentials_are_honoured(
    moto: MotoServer, mirror: InitializedMirror
) -> None:
    provider = 'provider "aws" {}\n'
    env = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL_IAM": moto.url,
        "AWS_ENDPOINT_URL": moto.url.replace("127.0.0.1", "localhost"),
    }
    config = (
        caller_identity_config(provider)
        + 'output "arn" {\n  value = data.aws_caller_identity.me.arn\n}\n'
    )
    terraform = mirror.workspace("env-ok", config, env)
    terraform.apply()
    assert DEFAULT_ACCOUNT in terraform.state()["values"]["outputs"]["arn"]["value"]


def test_emulator_errors_name_the_resource(moto: MotoServer, mirror: InitializedMirror) -> None:
    moto.reset()
    boto_client("iam", moto.url).create_role(RoleName="taken", AssumeRolePolicyDocument=TRUST)
    config = (
        provider_block(moto.url)
        + f"""
resource "aws_iam_role" "dup" {{
  name               = "taken"
  assume_role_policy = {json.dumps(TRUST)}
}}
"""
    )
    terraform = mirror.workspace("duplicate", config, {})
    result = terraform.run("apply", "-auto-approve", "-no-color", ok=(1,))
    assert "creating IAM Role (taken): EntityAlreadyExists" in result.output


IDENTITY_OUTPUT = 'output "arn" {\n  value = data.aws_caller_identity.me.arn\n}\n'
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy")


def test_proxy_variables_are_ignored(moto: MotoServer, mirror: InitializedMirror) -> None:
    config = caller_identity_config(provider_block(moto.url)) + IDENTITY_OUTPUT
    with decoy_server() as proxy:
        env = dict.fromkeys(PROXY_VARIABLES, proxy.url)  # and no NO_PROXY
        terraform = mirror.workspace("behind-proxy", config, env)
        terraform.apply()
    assert proxy.requests == []
    assert DEFAULT_ACCOUNT in terraform.state()["values"]["outputs"]["arn"]["value"]


def test_backslash_in_endpoint_is_refused_before_connecting(
    moto: MotoServer, mirror: InitializedMirror
) -> None:
    # urllib.parse reads host 127.0.0.1 (user info "127.0.0.2:PORT\\"); urllib3, which botocore
    # connects with, reads host 127.0.0.2: the decoy must see no connection at all.
    with decoy_server() as decoy:
        hidden = f"{decoy.url}\\\\@{moto.url.removeprefix('http://')}"  # HCL: one backslash
        terraform = mirror.workspace(
            "backslash", caller_identity_config(provider_block(hidden)), {}
        )
        result = terraform.run("plan", "-no-color", ok=(1,))
    assert decoy.requests == []
    assert "Refusing non-loopback AWS endpoint" in result.output
    assert "contains a backslash" in result.output


@pytest.mark.parametrize(("max_retries", "attempts"), [(0, 1), (1, 2)])
def test_max_retries_counts_retries_after_the_first_attempt(
    mirror: InitializedMirror, max_retries: int, attempts: int
) -> None:
    with decoy_server("127.0.0.1", status="500 Internal Server Error") as broken:
        body = f"  max_retries = {max_retries}\n"
        config = caller_identity_config(provider_block(broken.url, body))
        terraform = mirror.workspace(f"retries-{max_retries}", config, {})
        result = terraform.run("plan", "-no-color", ok=(1,))
    assert "retrieving caller identity from STS" in result.output
    assert len(broken.requests) == attempts, broken.requests
    assert all(line.startswith("POST / ") for line in broken.requests)
