"""The rendered variables carry each role's effective MFA per account, and its trust."""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from orgtf.config import load_organization
from orgtf.config.grants import granted_roles
from orgtf.render.tree import render_tree

MASTER, PROD, QA = "012345678901", "123456789012", "234567890123"
CI = f"arn:aws:iam::{MASTER}:role/ci"
BOT = f"arn:aws:iam::{MASTER}:user/bot"
EXAMPLE = yaml.safe_load((Path(__file__).parents[2] / "org.yaml").read_text())


def organization() -> dict[str, Any]:
    return {
        "organization": {"name": "example", "master_account": "master"},
        "accounts": {
            "master": {"id": MASTER},
            "production": {"id": PROD, "protected": True, "require_mfa": True},
            "qa": {"id": QA},
        },
        "roles": {
            "ReadOnly": {"accounts": ["production", "qa"]},
            "Deploy": {"accounts": ["production", "qa"], "require_mfa": False},
        },
        "groups": {"devs": {"roles": ["production/ReadOnly", "qa/ReadOnly", "production/Deploy"]}},
        "users": {"alice": {"groups": ["devs"]}},
    }


def variables(tmp_path: Path, data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each account's orgtf.auto.tfvars.json, rendered from ``data``."""
    path = tmp_path / "org.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    tree = render_tree(load_organization(path))
    return {
        account: json.loads(tree[PurePosixPath("environments", account, "orgtf.auto.tfvars.json")])
        for account in data["accounts"]
    }


def test_a_role_gets_its_accounts_mfa_in_each_account(tmp_path: Path) -> None:
    tfvars = variables(tmp_path, organization())
    assert tfvars["production"]["roles"]["ReadOnly"]["require_mfa"] is True
    assert tfvars["qa"]["roles"]["ReadOnly"]["require_mfa"] is False
    assert tfvars["production"]["roles"]["Deploy"]["require_mfa"] is False  # its own false
    production, qa = tfvars["production"]["roles"]["ReadOnly"], tfvars["qa"]["roles"]["ReadOnly"]
    assert {**production, "require_mfa": False} == qa  # nothing else differs


def test_the_group_grant_follows_the_effective_mfa(tmp_path: Path) -> None:
    grant = variables(tmp_path, organization())["master"]["groups"]["devs"]["inline_grant"]
    assert grant["name"] == "orgtf-assume-roles"
    assert grant["mfa_role_arns"] == [f"arn:aws:iam::{PROD}:role/ReadOnly"]
    assert grant["role_arns"] == [
        f"arn:aws:iam::{PROD}:role/Deploy",
        f"arn:aws:iam::{QA}:role/ReadOnly",
    ]
    assert granted_roles(json.loads(grant["document"])) == {
        f"arn:aws:iam::{PROD}:role/ReadOnly": True,
        f"arn:aws:iam::{PROD}:role/Deploy": False,
        f"arn:aws:iam::{QA}:role/ReadOnly": False,
    }


def test_the_organizations_trust_reaches_every_role_unless_a_role_has_its_own(
    tmp_path: Path,
) -> None:
    data = organization()
    data["organization"]["trust"] = {"principals": "iam_users", "extra_principals": [BOT, CI]}
    data["roles"]["Deploy"]["trust"] = {"extra_principals": [CI]}
    roles = variables(tmp_path, data)["qa"]["roles"]
    read_only = roles["ReadOnly"]
    assert read_only["trust_principals"] == "iam_users"
    assert read_only["trust_extra_principals"] == [CI, BOT]  # sorted
    assert (roles["Deploy"]["trust_principals"], roles["Deploy"]["trust_extra_principals"]) == (
        "any",
        [CI],
    )


def test_a_file_without_the_new_keys_renders_todays_values(tmp_path: Path) -> None:
    tfvars = variables(tmp_path, EXAMPLE)
    for account, values in tfvars.items():
        for name, role in values.get("roles", {}).items():
            assert role["require_mfa"] is EXAMPLE["roles"][name].get("require_mfa", False), account
            assert role["trust_principals"] == "any"
            assert role["trust_extra_principals"] == []
