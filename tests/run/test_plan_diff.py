"""Plan reports show what changes inside a resource: real Terraform against a sandbox.

The small org is applied in a sandbox of this module's own; then org.yaml loses one grant
(prod's Admin role from the admins group), and the plan reports must show that role's ARN
leaving the group's grant policy, in JSON and in markdown.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.engine import Project, converge, edited_org, orgtf, sandbox_project
from tests.support.sandbox import DEV_ID, PROD_ID, SMALL_ORG

pytestmark = pytest.mark.sandbox

PROD_ADMIN = f"arn:aws:iam::{PROD_ID}:role/Admin"
DEV_ADMIN = f"arn:aws:iam::{DEV_ID}:role/Admin"
GRANT = 'module.identity_groups.aws_iam_group_policy.assume_roles["admins/inline"]'
REMOVED = f"Statement[AssumeRoles].Resource: {PROD_ADMIN}"
REFUSED = "apply will refuse this destroy unless --allow-destroy"


@pytest.fixture(scope="module")
def applied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    """The small org, applied in a sandbox of its own."""
    directory = tmp_path_factory.mktemp("plan-diff")
    with sandbox_project(directory / "project", SMALL_ORG) as project:
        converge(project[0], ["master", "prod", "dev"], directory / "converge-plans")
        yield project


def plan(project: Path, capsys: pytest.CaptureFixture[str], fmt: str) -> str:
    capsys.readouterr()
    assert orgtf(project, "plan", "--format", fmt) == 0
    return capsys.readouterr().out


def test_a_removed_grant_shows_its_arn_before_and_after(
    applied: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    directory, _ = applied
    with edited_org(directory, "prod/Admin, ", ""):
        report = json.loads(plan(directory, capsys, "json"))
        markdown = plan(directory, capsys, "markdown")
    accounts = {a["account"]: a for a in report["accounts"]}
    assert accounts["master"]["status"] == "changes"
    resources = {r["address"]: r for r in accounts["master"]["resources"]}
    assert resources[GRANT]["actions"] == ["update"]
    policy = resources[GRANT]["attributes"]["policy"]
    (before,) = (s for s in policy["before"]["Statement"] if s["Sid"] == "AssumeRoles")
    (after,) = (s for s in policy["after"]["Statement"] if s["Sid"] == "AssumeRoles")
    assert PROD_ADMIN in before["Resource"] and DEV_ADMIN in before["Resource"]
    assert PROD_ADMIN not in after["Resource"] and DEV_ADMIN in after["Resource"]
    assert policy["diff"] == [f"- {REMOVED}"]
    assert accounts["prod"]["protected"] is True and accounts["dev"]["protected"] is False
    assert not accounts["prod"]["apply_refuses_destroy"]

    # In the markdown diff block the sign leads the line: the ARN is a removed (red) line.
    assert f"~   {GRANT}\n      policy:\n-       {REMOVED}\n" in markdown
    assert DEV_ADMIN not in markdown  # the grant that stays is no change
    assert "prod (protected)" in markdown and REFUSED not in markdown


def test_a_destroy_in_a_protected_account_is_refused_in_the_report(
    applied: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    directory, _ = applied
    with (
        edited_org(directory, "accounts: [prod, dev]", "accounts: [dev]"),
        edited_org(directory, "prod/Admin, ", ""),
    ):
        text = plan(directory, capsys, "text")
        markdown = plan(directory, capsys, "markdown")
    assert f"prod ({PROD_ID}, protected): +0 ~0 -" in text
    assert f"protected): +0 ~0 -2\n  {REFUSED}\n" in text
    assert f"> **Protected accounts:** prod: {REFUSED}" in markdown
    assert f"<summary>prod ({PROD_ID}, protected): +0 ~0 -2; {REFUSED}</summary>" in markdown
