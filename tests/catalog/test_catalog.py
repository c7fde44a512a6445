"""The role catalog from recorded Terraform outputs, cross-checked against org.yaml."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from orgtf.catalog.build import Catalog, build_catalog
from orgtf.catalog.format import format_catalog
from orgtf.catalog.state import (
    AccountState,
    OutputShapeError,
    parse_account_outputs,
)
from orgtf.cli import main
from orgtf.config import Organization, load_organization
from orgtf.profiles.build import build_profiles
from orgtf.terraform.plan import OutputValue

ORG = """\
organization: {name: acme, master_account: identity, state: {backend: local}}
accounts:
  identity: {id: "012345678901"}
  prod: {id: "123456789012", protected: true}
  dev: {id: "234567890123"}
roles:
  Admin:
    accounts: [prod, dev]
    description: "Full access | use <carefully>"
    managed_policy_arns: [arn:aws:iam::aws:policy/AdministratorAccess]
    require_mfa: true
  Ops:
    accounts: [prod]
    path: /team/
    max_session_duration: 7200
    managed_policy_arns: [arn:aws:iam::aws:policy/ReadOnlyAccess]
groups:
  admins: {roles: [prod/Admin, dev/Admin]}
  ops: {roles: [prod/Ops]}
users:
  alice: {groups: [admins, ops]}
  bob: {groups: [ops]}
  carol: {}
"""

NOW = datetime(2024, 5, 1, 12, 30, 0, tzinfo=UTC)
REQUIRED_ROLE_KEYS = {
    "account",
    "account_id",
    "name",
    "arn",
    "description",
    "require_mfa",
    "max_session_duration",
    "groups",
    "users",
    "switch_role_url",
    "profile",
}


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Organization:
    path = tmp_path_factory.mktemp("catalog") / "org.yaml"
    path.write_text(ORG, encoding="utf-8")
    return load_organization(path)


def outputs(**values: Any) -> dict[str, OutputValue]:
    """``terraform output -json`` as parse_outputs returns it."""
    return {name: OutputValue(name, value, sensitive=False) for name, value in values.items()}


def role(
    account_id: str, name: str, path: str = "/", mfa: bool = False, session: int = 3600
) -> dict[str, Any]:
    return {
        "name": name,
        "arn": f"arn:aws:iam::{account_id}:role{path}{name}",
        "unique_id": f"AROA{name.upper()}",
        "max_session_duration": session,
        "require_mfa": mfa,
    }


def master_outputs(
    grants: dict[str, list[str]] | None = None, members: dict[str, list[str]] | None = None
) -> dict[str, OutputValue]:
    grants = (
        grants
        if grants is not None
        else {
            "admins": [
                "arn:aws:iam::123456789012:role/Admin",
                "arn:aws:iam::234567890123:role/Admin",
            ],
            "ops": ["arn:aws:iam::123456789012:role/team/Ops"],
        }
    )
    members = (
        members
        if members is not None
        else {"alice": ["admins", "ops"], "bob": ["ops"], "carol": []}
    )
    groups = {
        name: {
            "name": name,
            "arn": f"arn:aws:iam::012345678901:group/{name}",
            "unique_id": f"AGPA{name.upper()}",
            "description": "",
            "assumable_role_arns": sorted(arns),
            "grant_policy_arns": [],
        }
        for name, arns in grants.items()
    }
    users = {
        name: {
            "name": name,
            "arn": f"arn:aws:iam::012345678901:user/{name}",
            "unique_id": f"AIDA{name}",
            "groups": sorted(gs),
        }
        for name, gs in members.items()
    }
    return outputs(
        account={"name": "identity", "id": "012345678901"},
        roles={},
        policies={},
        groups=groups,
        users=users,
    )


def prod_outputs(**overrides: dict[str, Any]) -> dict[str, OutputValue]:
    roles = {
        "Admin": role("123456789012", "Admin", mfa=True),
        "Ops": role("123456789012", "Ops", path="/team/", session=7200),
    }
    roles.update(overrides)
    return outputs(account={"name": "prod", "id": "123456789012"}, roles=roles, policies={})


def dev_outputs() -> dict[str, OutputValue]:
    return outputs(
        account={"name": "dev", "id": "234567890123"},
        roles={"Admin": role("234567890123", "Admin", mfa=True)},
        policies={},
    )


def catalog_of(org: Organization, *states: AccountState) -> Catalog:
    return build_catalog(org, states, generated_at=NOW)


def deployed(org: Organization) -> Catalog:
    return catalog_of(
        org,
        parse_account_outputs("identity", master_outputs()),
        parse_account_outputs("prod", prod_outputs()),
        parse_account_outputs("dev", dev_outputs()),
    )


def document(catalog: Catalog) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(format_catalog(catalog, "json"))
    return result


def by_ref(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f"{r['account']}/{r['name']}": r for r in doc["roles"]}


def test_deployed_catalog_follows_the_contract(org: Organization) -> None:
    doc = document(deployed(org))
    assert doc["organization"] == "acme"
    assert doc["generated_at"] == "2024-05-01T12:30:00Z"
    assert doc["accounts"][0] == {
        "name": "identity",
        "id": "012345678901",
        "protected": False,
        "state": "deployed",
        "reason": None,
    }
    assert [a["name"] for a in doc["accounts"]] == ["identity", "dev", "prod"]
    assert [f"{r['account']}/{r['name']}" for r in doc["roles"]] == [
        "dev/Admin",
        "prod/Admin",
        "prod/Ops",
    ]
    for entry in doc["roles"]:
        assert set(entry) >= REQUIRED_ROLE_KEYS
    admin = by_ref(doc)["prod/Admin"]
    assert admin["arn"] == "arn:aws:iam::123456789012:role/Admin"
    assert admin["description"] == "Full access | use <carefully>"
    assert (admin["require_mfa"], admin["max_session_duration"]) == (True, 3600)
    assert (admin["groups"], admin["users"]) == (["admins"], ["alice"])
    assert admin["switch_role_url"] == (
        "https://signin.aws.amazon.com/switchrole?roleName=Admin&account=123456789012"
        "&displayName=prod%2FAdmin"
    )
    assert admin["profile"] == "prod-admin"
    assert admin["deployed"] is True
    assert doc["users"] == [
        {
            "name": "alice",
            "arn": "arn:aws:iam::012345678901:user/alice",
            "groups": ["admins", "ops"],
            "roles": ["dev/Admin", "prod/Admin", "prod/Ops"],
            "deployed": True,
            "in_config": True,
        },
        {
            "name": "bob",
            "arn": "arn:aws:iam::012345678901:user/bob",
            "groups": ["ops"],
            "roles": ["prod/Ops"],
            "deployed": True,
            "in_config": True,
        },
        {
            "name": "carol",
            "arn": "arn:aws:iam::012345678901:user/carol",
            "groups": [],
            "roles": [],
            "deployed": True,
            "in_config": True,
        },
    ]
    assert doc["differences"] == [] and doc["warnings"] == [] and doc["complete"] is True


def test_switch_role_url_carries_the_role_path(org: Organization) -> None:
    ops = by_ref(document(deployed(org)))["prod/Ops"]
    assert ops["arn"] == "arn:aws:iam::123456789012:role/team/Ops"
    assert ops["switch_role_url"] == (
        "https://signin.aws.amazon.com/switchrole?roleName=team%2FOps&account=123456789012"
        "&displayName=prod%2FOps"
    )
    assert (ops["max_session_duration"], ops["users"]) == (7200, ["alice", "bob"])


def test_profile_names_are_those_of_the_profiles_command(org: Organization) -> None:
    roles = by_ref(document(deployed(org)))
    for user in ("alice", "bob"):
        for profile in build_profiles(org, user, name_template=None).profiles:
            assert roles[f"{profile.account}/{profile.role}"]["profile"] == profile.name


def test_role_missing_from_outputs_is_listed_as_not_deployed(org: Organization) -> None:
    prod = prod_outputs()
    roles = dict(prod["roles"].value)  # type: ignore[arg-type]
    del roles["Ops"]
    prod["roles"] = OutputValue("roles", roles, sensitive=False)
    catalog = catalog_of(
        org,
        parse_account_outputs("identity", master_outputs()),
        parse_account_outputs("prod", prod),
        parse_account_outputs("dev", dev_outputs()),
    )
    ops = by_ref(document(catalog))["prod/Ops"]
    assert ops["deployed"] is False and ops["in_config"] is True
    assert ops["arn"] == "arn:aws:iam::123456789012:role/team/Ops"  # the ARN it will have
    assert catalog.differences == ("role prod/Ops: in org.yaml but not deployed",)
    assert not catalog.complete


def test_deployed_role_no_longer_in_org_yaml_is_listed(org: Organization) -> None:
    catalog = catalog_of(
        org,
        parse_account_outputs("identity", master_outputs()),
        parse_account_outputs("prod", prod_outputs(Legacy=role("123456789012", "Legacy"))),
        parse_account_outputs("dev", dev_outputs()),
    )
    legacy = by_ref(document(catalog))["prod/Legacy"]
    assert (legacy["deployed"], legacy["in_config"], legacy["profile"]) == (True, False, None)
    assert "role prod/Legacy: deployed but no longer in org.yaml" in catalog.differences


def test_deployed_user_no_longer_in_org_yaml_is_listed(org: Organization) -> None:
    members = {"alice": ["admins", "ops"], "bob": ["ops"], "carol": [], "dan": ["ops"]}
    catalog = catalog_of(
        org,
        parse_account_outputs("identity", master_outputs(members=members)),
        parse_account_outputs("prod", prod_outputs()),
        parse_account_outputs("dev", dev_outputs()),
    )
    users = {u["name"]: u for u in document(catalog)["users"]}
    assert (users["dan"]["deployed"], users["dan"]["in_config"]) == (True, False)
    assert users["dan"]["roles"] == ["prod/Ops"]
    assert all(users[name]["in_config"] for name in ("alice", "bob", "carol"))
    assert "user dan: deployed but no longer in org.yaml" in catalog.differences
    page = format_catalog(catalog, "markdown")
    assert "| dan (not in org.yaml) | ops | `prod/Ops` |" in page


def test_unreadable_account_lists_its_roles_as_not_deployed(org: Organization) -> None:
    unreadable = AccountState(
        "prod", "unreadable", reason="cannot read its Terraform state: no credentials"
    )
    catalog = catalog_of(
        org,
        parse_account_outputs("identity", master_outputs()),
        unreadable,
        parse_account_outputs("dev", dev_outputs()),
    )
    roles = by_ref(document(catalog))
    assert set(roles) == {"dev/Admin", "prod/Admin", "prod/Ops"}
    assert roles["prod/Admin"]["deployed"] is False and roles["prod/Ops"]["deployed"] is False
    assert roles["prod/Admin"]["users"] == ["alice"]  # the deployed grants still name it
    assert catalog.warnings == (
        "account prod: cannot read its Terraform state: no credentials; "
        "its roles are listed as not deployed",
    )
    assert catalog.differences == ()


def test_master_not_applied_takes_access_from_org_yaml(org: Organization) -> None:
    catalog = catalog_of(
        org,
        parse_account_outputs("identity", {}),
        parse_account_outputs("prod", prod_outputs()),
        parse_account_outputs("dev", dev_outputs()),
    )
    doc = document(catalog)
    assert by_ref(doc)["prod/Ops"]["users"] == ["alice", "bob"]
    alice = doc["users"][0]
    assert alice["deployed"] is False and alice["groups"] == ["admins", "ops"]
    assert alice["arn"] == "arn:aws:iam::012345678901:user/alice"
    assert any(
        w.startswith("account identity: nothing applied yet") and "groups and users" in w
        for w in catalog.warnings
    )


def test_missing_account_state_counts_as_unread(org: Organization) -> None:
    catalog = catalog_of(org, parse_account_outputs("identity", master_outputs()))
    assert {r.ref for r in catalog.roles if not r.deployed} == {
        "dev/Admin",
        "prod/Admin",
        "prod/Ops",
    }
    assert [w.split(":")[0] for w in catalog.warnings] == ["account dev", "account prod"]


def test_differences_with_org_yaml_are_reported(org: Organization) -> None:
    catalog = catalog_of(
        org,
        parse_account_outputs(
            "identity",
            master_outputs(
                grants={"admins": ["arn:aws:iam::123456789012:role/Admin"], "old": []},
                members={"alice": ["admins"], "bob": ["ops"]},
            ),
        ),
        parse_account_outputs(
            "prod",
            prod_outputs(
                Admin=role("123456789012", "Admin", mfa=False, session=3600),
                Ops=role("123456789012", "Ops", path="/team/", session=3600),
            ),
        ),
        parse_account_outputs("dev", dev_outputs()),
    )
    assert catalog.differences == (
        "group admins: grants differ from org.yaml (to add arn:aws:iam::234567890123:role/Admin)",
        "group old: deployed but no longer in org.yaml",
        "group ops: in org.yaml but not deployed",
        "user alice: groups differ from org.yaml (to add ops)",
        "user carol: in org.yaml but not deployed",
        "role prod/Admin: require_mfa true in org.yaml, false deployed",
        "role prod/Ops: max_session_duration 7200 in org.yaml, 3600 deployed",
    )
    roles = by_ref(document(catalog))
    assert roles["prod/Admin"]["require_mfa"] is False  # the catalog shows what is deployed
    assert roles["dev/Admin"]["users"] == []  # no deployed group grants it yet
    carol = next(u for u in catalog.users if u.name == "carol")
    assert (carol.deployed, carol.roles) == (False, ())


def test_outputs_of_another_shape_are_refused() -> None:
    assert parse_account_outputs("dev", {}).status == "not-applied"
    with pytest.raises(OutputShapeError, match="account dev: output roles: Field required"):
        parse_account_outputs("dev", outputs(account={"name": "dev", "id": "234567890123"}))
    bad = outputs(
        account={"name": "dev", "id": "234567890123"},
        roles={"Admin": {"name": "Admin", "arn": "x"}},
    )
    with pytest.raises(
        OutputShapeError, match=r"account dev: output roles\.Admin\.max_session_duration: Field"
    ):
        parse_account_outputs("dev", bad)
    wrong_type = outputs(
        account={"name": "dev", "id": "234567890123"},
        roles={
            "Admin": {"name": "Admin", "arn": "x", "max_session_duration": True, "require_mfa": 1}
        },
    )
    with pytest.raises(OutputShapeError, match=r"roles\.Admin\.max_session_duration: Input should"):
        parse_account_outputs("dev", wrong_type)


def test_yaml_is_the_json_document_with_quoted_account_ids(org: Organization) -> None:
    catalog = deployed(org)
    text = format_catalog(catalog, "yaml")
    assert 'id: "012345678901"' in text
    assert yaml.safe_load(text) == document(catalog)


def test_markdown_page_escapes_org_yaml_text(org: Organization) -> None:
    prod = prod_outputs()
    roles = dict(prod["roles"].value)  # type: ignore[arg-type]
    del roles["Ops"]
    prod["roles"] = OutputValue("roles", roles, sensitive=False)
    catalog = catalog_of(
        org,
        parse_account_outputs("identity", master_outputs()),
        parse_account_outputs("prod", prod),
    )
    page = format_catalog(catalog, "markdown")
    assert page.startswith("# AWS roles of organization acme\n")
    assert "## prod (`123456789012`, protected)" in page
    # One escaping policy (orgtf.text.md_escape): character references, which also hold
    # inside HTML, where backslash escapes would show.
    assert "| Full access &#124; use &#60;carefully&#62; |" in page
    assert "<carefully>" not in page
    assert "| Ops (not deployed) |" in page
    assert (
        "[switch role](https://signin.aws.amazon.com/switchrole?roleName=Admin&account=123456789012&displayName=prod%2FAdmin)"
        in page
    )
    assert "> **Warning:** account dev:" in page
    assert "## Differences between org.yaml and the deployed state" in page
    assert "| alice | admins, ops | `dev/Admin`, `prod/Admin`, `prod/Ops` |" in page


def test_text_summary(org: Organization) -> None:
    text = format_catalog(deployed(org), "text")
    lines = text.splitlines()
    assert lines[0].split() == ["ROLE", "MFA", "SESSION", "USERS", "PROFILE"]
    assert lines[3].split() == ["prod/Ops", "no", "2h", "alice,", "bob", "prod-ops"]
    assert (
        lines[-1]
        == "3 of 3 roles deployed in organization acme; 3 users; 0 differences from org.yaml"
    )


# --- the command, offline: nothing rendered, so nothing is deployed ---------------------------


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "org.yaml").write_text(ORG, encoding="utf-8")
    return tmp_path


def test_catalog_command_without_state_lists_every_role(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--config", str(project / "org.yaml"), "catalog"]) == 0
    captured = capsys.readouterr()
    doc = json.loads(captured.out)
    assert {f"{r['account']}/{r['name']}": r["deployed"] for r in doc["roles"]} == {
        "dev/Admin": False,
        "prod/Admin": False,
        "prod/Ops": False,
    }
    for account in ("identity", "dev", "prod"):
        assert f"orgtf: warning: account {account}: not rendered yet" in captured.err
    assert {u["name"]: (u["deployed"], u["in_config"]) for u in doc["users"]} == {
        "alice": (False, True),
        "bob": (False, True),
        "carol": (False, True),
    }
    assert "Traceback" not in captured.err


def test_catalog_command_strict_and_output_file(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = project / "docs" / "roles.md"
    config = str(project / "org.yaml")
    assert (
        main(
            [
                "--config",
                config,
                "catalog",
                "--format",
                "markdown",
                "--output",
                str(out),
                "--strict",
            ]
        )
        == 1
    )
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"wrote the catalog to {out}" in captured.err
    assert "the catalog is incomplete (--strict)" in captured.err
    assert out.read_text().startswith("# AWS roles of organization acme")
    assert main(["--config", config, "catalog", "--parallelism", "0"]) == 4
    assert main(["--config", config, "catalog", "--format", "xml"]) == 4


def test_require_mfa_is_compared_with_the_accounts_default(tmp_path: Path) -> None:
    # prod requires MFA of its roles: Ops (no require_mfa of its own) needs it there.
    path = tmp_path / "org.yaml"
    path.write_text(
        ORG.replace("protected: true}", "protected: true, require_mfa: true}"), encoding="utf-8"
    )
    mfa_org = load_organization(path)
    identity = parse_account_outputs("identity", master_outputs())
    dev = parse_account_outputs("dev", dev_outputs())
    stale = prod_outputs(Ops=role("123456789012", "Ops", path="/team/", session=7200))
    catalog = catalog_of(mfa_org, identity, parse_account_outputs("prod", stale), dev)
    assert catalog.differences == ("role prod/Ops: require_mfa true in org.yaml, false deployed",)
    applied = prod_outputs(Ops=role("123456789012", "Ops", path="/team/", mfa=True, session=7200))
    catalog = catalog_of(mfa_org, identity, parse_account_outputs("prod", applied), dev)
    assert catalog.differences == ()
    unread = by_ref(document(catalog_of(mfa_org, identity, dev)))
    assert (unread["prod/Ops"]["deployed"], unread["prod/Ops"]["require_mfa"]) == (False, True)
