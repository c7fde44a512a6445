"""organization.identity: identity_center: validate's rules and what the master root gets."""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath
from typing import Any

import pytest

from orgtf.cli import main
from orgtf.config import load_organization
from orgtf.render.identity_center import iso_duration
from orgtf.render.tree import render_tree
from tests.config.validating import validate

IC_ORG = """\
organization:
  name: example
  master_account: master
  identity: identity_center
  sso_start_url: https://d-1234567890.awsapps.com/start
accounts:
  master: {id: "012345678901"}
  production: {id: "123456789012"}
policies:
  app-read:
    document: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "s3:ListBucket", Resource: "*"}]}
roles:
  ReadOnly:
    accounts: [production]
    managed_policy_arns: [arn:aws:iam::aws:policy/ReadOnlyAccess]
    policies: [app-read]
    max_session_duration: 7200
groups:
  devs:
    roles: [production/ReadOnly]
users:
  alice.smith: {groups: [devs], email: alice@example.com}
"""


def tfvars(tmp_path: Path, text: str, account: str) -> dict[str, Any]:
    (tmp_path / "org.yaml").write_text(text)
    tree = render_tree(load_organization(tmp_path / "org.yaml"))
    return json.loads(tree[PurePosixPath("environments", account, "orgtf.auto.tfvars.json")])  # type: ignore[no-any-return]


def test_the_master_gets_permission_sets_identity_store_and_assignments(tmp_path: Path) -> None:
    master = tfvars(tmp_path, IC_ORG, "master")
    center = master["identity_center"]
    assert center["permission_sets"]["ReadOnly"]["session_duration"] == "PT2H"
    assert center["permission_sets"]["ReadOnly"]["customer_managed_policies"] == [
        {"name": "app-read", "path": "/"}
    ]
    assert center["users"]["alice.smith"] == {
        "display_name": "Alice Smith",
        "given_name": "Alice",
        "family_name": "Smith",
        "email": "alice@example.com",
        "groups": ["devs"],
    }
    assert center["assignments"] == {
        "devs/production/ReadOnly": {
            "group": "devs",
            "permission_set": "ReadOnly",
            "account_id": "123456789012",
        }
    }
    assert master["groups"] == {} and master["users"] == {} and master["self_service"] is None


def test_children_keep_only_the_policies_permission_sets_name(tmp_path: Path) -> None:
    production = tfvars(tmp_path, IC_ORG, "production")
    assert production["roles"] == {} and list(production["policies"]) == ["app-read"]


def test_keep_iam_roles_renders_both_sides(tmp_path: Path) -> None:
    text = IC_ORG.replace(
        "  identity: identity_center\n", "  identity: identity_center\n  keep_iam_roles: true\n"
    )
    assert list(tfvars(tmp_path, text, "production")["roles"]) == ["ReadOnly"]
    master = tfvars(tmp_path, text, "master")
    assert list(master["groups"]) == ["devs"] and "identity_center" in master


def test_iam_mode_renders_no_identity_center(tmp_path: Path) -> None:
    text = IC_ORG.replace("  identity: identity_center\n", "")
    tree_vars = tfvars(tmp_path, text, "master")
    assert "identity_center" not in tree_vars
    tree = render_tree(load_organization(tmp_path / "org.yaml"))
    assert "identity_center" not in tree[PurePosixPath("environments/master/main.tf")]


@pytest.mark.parametrize(
    ("seconds", "text"), [(3600, "PT1H"), (5400, "PT1H30M"), (43200, "PT12H"), (3661, "PT1H1M1S")]
)
def test_session_durations_in_iso_8601(seconds: int, text: str) -> None:
    assert iso_duration(seconds) == text


def test_identity_center_limits_are_checked_where_they_are(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (
        IC_ORG.replace("  sso_start_url: https://d-1234567890.awsapps.com/start\n", "")
        .replace("email: alice@example.com", "path: /")
        .replace("  ReadOnly:\n", "  ReadOnlyForTheWholeProductionTeam:\n")
        .replace("production/ReadOnly", "production/ReadOnlyForTheWholeProductionTeam")
        .replace(
            "    max_session_duration: 7200\n",
            "    max_session_duration: 7200\n    permissions_boundary: arn:aws:iam::aws:policy/PowerUserAccess\n",
        )
        .replace(
            "[arn:aws:iam::aws:policy/ReadOnlyAccess]", "[arn:aws:iam::123456789012:policy/mine]"
        )
    )
    code, errors = validate(tmp_path, text, capsys)
    assert code == 3
    assert errors == [
        "org.yaml:4:13: error: identity_center needs organization.sso_start_url (the AWS access portal URL, https://d-xxxxxxxxxx.awsapps.com/start): profiles and links point people at it",
        "org.yaml:12:3: error: role 'ReadOnlyForTheWholeProductionTeam' becomes a permission set, whose name may have at most 32 characters (33)",
        "org.yaml:14:27: error: arn:aws:iam::123456789012:policy/mine is not an AWS managed policy: a permission set attaches customer managed policies by name in each account; list it under policies:",
        "org.yaml:17:27: error: orgtf does not yet set permissions boundaries on permission sets; remove it or keep identity: iam_users for this organization",
        "org.yaml:22:3: error: user 'alice.smith' needs an email: Identity Center users sign in with it",
    ]


def test_require_mfa_is_a_warning_there(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = IC_ORG.replace(
        'production: {id: "123456789012"}', 'production: {id: "123456789012", require_mfa: true}'
    )
    (tmp_path / "org.yaml").write_text(text)
    assert main(["--config", str(tmp_path / "org.yaml"), "validate"]) == 0
    captured = capsys.readouterr()
    assert (
        "org.yaml:8:49: warning: with identity_center, MFA is an Identity Center setting"
        in captured.out + captured.err
    )


@pytest.mark.parametrize("argv", [["catalog"], ["access", "verify"]])
def test_commands_that_read_iam_roles_say_why_they_stop(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    (tmp_path / "org.yaml").write_text(IC_ORG)
    assert main(["--config", str(tmp_path / "org.yaml"), *argv]) == 4
    err = capsys.readouterr().err
    assert "delivers access through IAM Identity Center" in err and "Traceback" not in err
