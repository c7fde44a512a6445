"""orgtf import against an organization built by hand in the sandbox, as a user runs it."""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from orgtf.config import RoleRef, load_organization
from orgtf.sandbox.runtime import SandboxTarget
from tests.adoption.building import DEV_ID, PROD_ID, SEED_ORG, build_organization
from tests.support.engine import orgtf, sandbox_project
from tests.support.sandbox import client_as_account

pytestmark = pytest.mark.sandbox

Imported = tuple[Path, SandboxTarget, dict[str, object]]


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Imported]:
    """The hand-made organization, imported once with --format json."""
    directory = tmp_path_factory.mktemp("handmade")
    with sandbox_project(directory, SEED_ORG) as (project, target):
        build_organization(target)
        out = project / "import.json"
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            code = orgtf(project, "import", "--force", "--format", "json")
        out.write_text(buffer.getvalue())
        assert code == 0, buffer.getvalue()
        yield project, target, json.loads(buffer.getvalue())


def test_the_first_plan_after_the_import_shows_no_changes(imported: Imported) -> None:
    project, _, report = imported
    assert all(account["clean"] for account in report["accounts"])  # type: ignore[index,union-attr]
    assert orgtf(project, "plan", "--detailed-exitcode") == 0


def test_the_declared_access_is_what_was_built(imported: Imported) -> None:
    org = load_organization(imported[0] / "org.yaml")
    deploy = {RoleRef("prod", "Deploy"), RoleRef("dev", "Deploy")}
    assert set(org.user_roles(org.config.users["alice"])) == deploy | {RoleRef("prod", "ReadOnly")}
    assert set(org.user_roles(org.config.users["bob"])) == deploy
    assert org.user_roles(org.config.users["carol"]) == {}
    assert org.requires_mfa(RoleRef("prod", "ReadOnly"))
    assert not org.requires_mfa(RoleRef("prod", "Deploy"))
    readonly = org.config.roles["ReadOnly"]
    assert readonly.mfa_max_age is None  # the hand-made trust tests only MFA's presence
    assert org.config.roles["Deploy"].max_session_duration == 7200
    assert org.config.roles["Deploy"].policies == ("deploy-extra",)
    assert org.config.groups["readers"].grant_policy is not None
    assert org.config.groups["readers"].grant_policy.kind == "managed"
    assert org.config.organization.default_tags == {}
    assert org.config.users["alice"].console and not org.config.users["bob"].console


def test_what_cannot_be_described_is_listed_and_left_alone(imported: Imported) -> None:
    project, target, report = imported
    unmanaged = {(u["account"], u["kind"], u["name"]): u["reason"] for u in report["unmanaged"]}  # type: ignore[union-attr,index]
    assert unmanaged[("prod", "role", "Vendor")] == "it does not trust the master account"
    assert ("prod", "role", "OrganizationAccountAccessRole") in unmanaged
    assert ("master", "user", "orgtf-operator") in unmanaged
    assert ("master", "user policy", "carol:own-bucket") in unmanaged
    assert "Vendor" not in (project / "org.yaml").read_text()
    roles = client_as_account(target, "iam", PROD_ID).list_roles()["Roles"]
    assert "Vendor" in {r["RoleName"] for r in roles}  # nothing deleted


def test_an_import_run_again_imports_nothing_and_stays_clean(
    imported: Imported, capsys: pytest.CaptureFixture[str]
) -> None:
    project = imported[0]
    before = (project / "org.yaml").read_text()
    assert orgtf(project, "import", "--account", "dev") == 0
    out = capsys.readouterr().out
    assert "account dev: 0 objects imported; plan: no changes" in out
    assert (project / "org.yaml").read_text() == before


def test_an_existing_org_yaml_is_not_overwritten_without_force(
    imported: Imported, capsys: pytest.CaptureFixture[str]
) -> None:
    project = imported[0]
    assert orgtf(project, "import") == 4
    err = capsys.readouterr().err
    assert "org.yaml exists" in err and "--force" in err and "Traceback" not in err


def test_the_written_file_says_where_it_made_choices(imported: Imported) -> None:
    text = (imported[0] / "org.yaml").read_text()
    assert text.startswith("# Written by `orgtf import` from the sandbox at http://127.0.0.1:")
    assert "  default_tags: {}\n" in text and "  self_service: false\n" in text
    assert f"arn:aws:iam::{DEV_ID}:role/Deploy" in text  # the grant kept as found
