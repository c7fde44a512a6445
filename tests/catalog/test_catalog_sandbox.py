"""`orgtf catalog` end to end: apply with real Terraform to the sandbox, then read the state."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from orgtf.cli import main
from orgtf.config import load_organization
from orgtf.process import Supervisor
from orgtf.run.engine import Engine
from orgtf.run.progress import progress_for
from orgtf.run.targets import select_target
from orgtf.sandbox.runtime import SandboxTarget
from tests.support.sandbox import (
    DEV_ID,
    MASTER_ID,
    PROD_ID,
    SMALL_ORG,
    client_as_account,
    running_sandbox,
    write_org,
)

pytestmark = pytest.mark.sandbox


@dataclass(frozen=True)
class Applied:
    project: Path
    target: SandboxTarget
    before: dict[str, Any]  # the catalog before anything was applied
    before_err: str


def catalog(
    project: Path, capsys: pytest.CaptureFixture[str] | None, *extra: str
) -> tuple[int, str, str]:
    if capsys is not None:
        capsys.readouterr()
    code = main(["--sandbox", "--config", str(project / "org.yaml"), "catalog", *extra])
    if capsys is None:
        return code, "", ""
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def apply_all(project: Path) -> None:
    org = load_organization(project / "org.yaml")
    engine = Engine(org, select_target(org, True, os.environ), 3, Supervisor())
    accounts = org.account_names()
    with progress_for(accounts, io.StringIO()) as progress:
        plans = engine.plan(engine.workspaces(accounts), progress).results
        outcomes = engine.apply(plans, True, progress)
    assert [o.status for o in outcomes] == ["applied"] * 3, outcomes


@pytest.fixture(scope="module")
def applied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Applied]:
    project = write_org(tmp_path_factory.mktemp("catalog"), SMALL_ORG)
    with running_sandbox(project) as target:
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            code = catalog(project, None)[0]
        assert code == 0, err.getvalue()
        apply_all(project)
        yield Applied(project, target, json.loads(out.getvalue()), err.getvalue())


def by_ref(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f"{r['account']}/{r['name']}": r for r in doc["roles"]}


def test_before_apply_every_role_is_listed_as_not_deployed(applied: Applied) -> None:
    roles = by_ref(applied.before)
    assert set(roles) == {"dev/Admin", "prod/Admin"}
    assert not any(r["deployed"] for r in roles.values())
    assert roles["prod/Admin"]["users"] == ["alice"]  # from org.yaml: nothing is deployed
    assert applied.before["users"][0]["deployed"] is False
    for account in ("master", "dev", "prod"):
        assert f"orgtf: warning: account {account}: " in applied.before_err


def test_catalog_after_apply_reads_every_account(
    applied: Applied, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = catalog(applied.project, capsys, "--strict")
    assert code == 0, err
    assert err == ""
    doc = json.loads(out)
    assert doc["organization"] == "testorg" and doc["complete"] is True
    assert [(a["name"], a["id"], a["state"]) for a in doc["accounts"]] == [
        ("master", MASTER_ID, "deployed"),
        ("dev", DEV_ID, "deployed"),
        ("prod", PROD_ID, "deployed"),
    ]
    roles = by_ref(doc)
    for ref, account_id in (("prod/Admin", PROD_ID), ("dev/Admin", DEV_ID)):
        entry = roles[ref]
        iam = client_as_account(applied.target, "iam", account_id)
        live = iam.get_role(RoleName="Admin")["Role"]
        assert entry["arn"] == live["Arn"] == f"arn:aws:iam::{account_id}:role/Admin"
        assert entry["max_session_duration"] == live["MaxSessionDuration"] == 3600
        assert (entry["groups"], entry["users"], entry["deployed"]) == (["admins"], ["alice"], True)
        assert entry["switch_role_url"] == (
            f"https://signin.aws.amazon.com/switchrole?roleName=Admin&account={account_id}"
            f"&displayName={entry['account']}%2FAdmin"
        )
        assert entry["profile"] == f"{entry['account']}-admin"
    master = client_as_account(applied.target, "iam", MASTER_ID)
    alice = master.get_user(UserName="alice")["User"]
    assert doc["users"] == [
        {
            "name": "alice",
            "arn": alice["Arn"],
            "groups": ["admins"],
            "roles": ["dev/Admin", "prod/Admin"],
            "deployed": True,
            "in_config": True,
        }
    ]


def test_markdown_file_for_a_wiki(
    applied: Applied, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    page = tmp_path / "roles.md"
    code, out, err = catalog(applied.project, capsys, "--format", "markdown", "--output", str(page))
    assert (code, out) == (0, "")
    assert f"wrote the catalog to {page}" in err
    text = page.read_text()
    assert "## prod (`222222222222`, protected)" in text
    assert "| Admin | | no | 1h | admins | alice | [switch role](" in text


def test_unapplied_role_and_unreadable_state_are_reported(
    applied: Applied, capsys: pytest.CaptureFixture[str]
) -> None:
    config = applied.project / "org.yaml"
    original = config.read_text()
    state = applied.target.work_dir / "environments" / "dev" / "terraform.tfstate"
    saved = state.read_bytes()
    try:
        config.write_text(
            original.replace(
                "    accounts: [prod, dev]\n",
                "    accounts: [prod, dev]\n    description: admins\n  Viewer:\n    accounts: [prod]\n",
            )
        )
        state.write_text("not a state file")
        code, out, err = catalog(applied.project, capsys)
        assert code == 0
        roles = by_ref(json.loads(out))
        assert (roles["prod/Viewer"]["deployed"], roles["prod/Viewer"]["in_config"]) == (
            False,
            True,
        )
        assert roles["dev/Admin"]["deployed"] is False
        assert roles["prod/Admin"]["deployed"] is True
        assert (
            "orgtf: warning: account dev: cannot read its Terraform state: terraform output failed"
            in err
        )
        assert "its roles are listed as not deployed" in err
        assert "1 difference(s) between org.yaml and the deployed state" in err
        code, _, err = catalog(applied.project, capsys, "--strict")
        assert code == 1 and "incomplete (--strict)" in err
    finally:
        config.write_text(original)
        state.write_bytes(saved)
    assert catalog(applied.project, capsys, "--strict")[0] == 0
