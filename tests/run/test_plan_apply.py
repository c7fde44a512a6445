"""`orgtf plan` / `orgtf apply` end to end: real Terraform against the sandbox emulator.

The tests share the module's sandbox, not its state: a test that needs an account as org.yaml
has it converges that account first; one that applies only adds what no other test touches
(a user or role of its own); each keeps its plans in a directory of its own.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from orgtf.cli import main
from orgtf.sandbox.runtime import SandboxTarget
from tests.support.engine import Project, converge, edited_org, orgtf, run_in_terminal
from tests.support.sandbox import (
    DEV_ID,
    MASTER_ID,
    PROD_ID,
    client_as_account,
)

pytestmark = pytest.mark.sandbox


def role_names(target: SandboxTarget, account_id: str) -> set[str]:
    iam = client_as_account(target, "iam", account_id)
    return {r["RoleName"] for r in iam.list_roles()["Roles"]}


@contextmanager
def without_prod_admin(directory: Path) -> Iterator[None]:
    """org.yaml without the Admin role in the protected prod account, nor its grant."""
    with (
        edited_org(directory, "accounts: [prod, dev]", "accounts: [dev]"),
        edited_org(directory, "prod/Admin, ", ""),
    ):
        yield


def plan_json(project: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, dict]:
    capsys.readouterr()
    code = orgtf(project, "plan", "--format", "json", *extra)
    return code, json.loads(capsys.readouterr().out)


def test_plan_apply_converge(fresh_project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    directory, target = fresh_project
    code, report = plan_json(directory, capsys, "--detailed-exitcode")
    assert code == 2
    accounts = {a["account"]: a for a in report["accounts"]}
    assert set(accounts) == {"master", "prod", "dev"}
    assert accounts["prod"]["account_id"] == PROD_ID
    assert all(a["status"] == "changes" and a["error"] is None for a in accounts.values())
    addresses = {r["address"] for r in accounts["prod"]["resources"]}
    assert any(a.endswith('aws_iam_role.this["Admin"]') for a in addresses), addresses
    assert accounts["prod"]["add"] >= 2 and accounts["prod"]["destroy"] == 0

    # saved plans are applied without a prompt, even without a terminal
    assert orgtf(directory, "apply", "--all") == 0
    summary = capsys.readouterr().out
    assert "applied" in summary and "failed: -" in summary
    assert "Admin" in role_names(target, PROD_ID)
    assert "Admin" in role_names(target, DEV_ID)
    iam = client_as_account(target, "iam", MASTER_ID)
    groups = iam.list_groups_for_user(UserName="alice")["Groups"]
    assert sorted(g["GroupName"] for g in groups) == ["admins", "orgtf-self-service"]

    code, report = plan_json(directory, capsys, "--detailed-exitcode")
    assert code == 0
    assert {a["status"] for a in report["accounts"]} == {"no-changes"}


def test_apply_without_plan_needs_yes_or_terminal(
    project: Project, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    directory, _ = project
    empty = ["--plan-dir", str(tmp_path)]
    assert orgtf(directory, "apply", "--account", "dev", *empty) == 4
    assert "no saved plan for dev and no terminal to confirm on" in capsys.readouterr().err
    assert orgtf(directory, "apply", "--account", "dev", "--yes", *empty) == 0
    assert "failed: -; skipped: -" in capsys.readouterr().out


def test_unknown_account_is_a_usage_error(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    directory, _ = project
    assert orgtf(directory, "plan", "--account", "prd") == 4
    assert "unknown account 'prd' (did you mean 'prod'?)" in capsys.readouterr().err
    assert orgtf(directory, "apply") == 4


def test_saved_plan_from_other_org_yaml_is_refused(
    project: Project, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    directory, target = project
    plans = ["--plan-dir", str(tmp_path)]
    alice = "  alice: {groups: [admins]}"
    bob = f"{alice}\n  bob: {{groups: [admins]}}"
    with edited_org(directory, alice, bob) as original:
        assert orgtf(directory, "plan", "--account", "master", *plans) == 0
        (directory / "org.yaml").write_text(original)
        capsys.readouterr()
        assert orgtf(directory, "apply", "--account", "master", *plans) == 1
        err = capsys.readouterr().err
        assert "the saved plan of account master was made from a different org.yaml" in err
        assert "run orgtf plan again" in err
        iam = client_as_account(target, "iam", MASTER_ID)
        assert "bob" not in {u["UserName"] for u in iam.list_users()["Users"]}


def test_damaged_plan_record_is_refused(
    project: Project, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    directory, _ = project
    plans = ["--plan-dir", str(tmp_path)]
    assert orgtf(directory, "plan", "--account", "dev", *plans) == 0
    record = tmp_path / "dev.json"
    assert json.loads(record.read_text())["account"] == "dev"
    record.write_text(json.dumps({**json.loads(record.read_text()), "note": "edited"}))
    capsys.readouterr()
    assert orgtf(directory, "apply", "--account", "dev", *plans) == 1
    err = capsys.readouterr().err
    assert (
        f"{record}: the saved plan record of account dev is damaged "
        "(note: Extra inputs are not permitted); run orgtf plan again"
    ) in err
    assert "Traceback" not in err


def test_protected_account_refuses_destroy(
    project: Project, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    directory, target = project
    converge(directory, ["master", "prod"], tmp_path / "start")
    plans = ["--plan-dir", str(tmp_path / "plans")]
    with without_prod_admin(directory):
        code, report = plan_json(directory, capsys, "--fail-on", "destroy", *plans)
        assert code == 1
        prod = next(a for a in report["accounts"] if a["account"] == "prod")
        assert prod["destroy"] >= 1
        capsys.readouterr()
        assert orgtf(directory, "apply", "--all", *plans) == 1
        err = capsys.readouterr().err
        assert "refusing to delete or replace resources in protected accounts" in err
        assert "prod:" in err
        assert "Admin" in role_names(target, PROD_ID)  # nothing applied anywhere
        iam = client_as_account(target, "iam", MASTER_ID)
        assert iam.list_group_policies(GroupName="admins")["PolicyNames"]


def test_markdown_report(
    project: Project, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    directory, _ = project
    out = tmp_path / "plan.md"
    assert (
        orgtf(directory, "plan", "--format", "markdown", "--output", str(out), "--parallelism", "1")
        == 0
    )
    text = out.read_text()
    assert "| " in text and len(text) < 60_000
    assert "prod" in text


def test_orgtf_sandbox_variable_targets_the_sandbox(
    project: Project, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    directory, target = project
    monkeypatch.setenv("ORGTF_SANDBOX", "1")
    capsys.readouterr()
    assert main(["--config", str(directory / "org.yaml"), "plan", "--account", "dev"]) == 0
    captured = capsys.readouterr()
    assert "dev" in captured.out and "error" not in captured.out
    assert (target.state_dir / "plans" / "dev.tfplan").is_file()
    assert not (directory / ".orgtf" / "plans").exists()  # real runs' files untouched


def test_apply_without_plan_asks_on_a_terminal(project: Project, tmp_path: Path) -> None:
    directory, target = project
    plans = ["--plan-dir", str(tmp_path / "plans")]
    alice = "  alice: {groups: [admins]}"
    with edited_org(directory, alice, f"{alice}\n  dora: {{}}"):  # dora is this test's own
        code, screen = run_in_terminal(directory, "no", "apply", "--account", "master", *plans)
        assert code == 1, screen
        assert 'module.identity_groups.aws_iam_user.this["dora"]' in screen
        assert "apply cancelled; nothing was applied" in screen
        assert not list((tmp_path / "plans").iterdir())  # the declined plan is not kept
        iam = client_as_account(target, "iam", MASTER_ID)
        assert "dora" not in {u["UserName"] for u in iam.list_users()["Users"]}

        code, screen = run_in_terminal(directory, "yes", "apply", "--account", "master", *plans)
        assert code == 0, screen
        assert "dora" in {u["UserName"] for u in iam.list_users()["Users"]}


def test_plan_made_before_the_state_changed_is_refused(
    project: Project, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    directory, _ = project
    first, second = ["--plan-dir", str(tmp_path / "a")], ["--plan-dir", str(tmp_path / "b")]
    twice = "roles:\n  Twice:\n    accounts: [dev]\n"  # a role of this test's own
    with edited_org(directory, "roles:\n", twice):
        assert orgtf(directory, "plan", "--account", "dev", *first) == 0
        assert orgtf(directory, "plan", "--account", "dev", *second) == 0
        assert orgtf(directory, "apply", "--account", "dev", *first) == 0
        capsys.readouterr()
        assert orgtf(directory, "apply", "--account", "dev", *second) == 1
        err = capsys.readouterr().err
        assert "the state of account dev changed since its plan was made" in err
        assert "run orgtf plan again" in err
        assert orgtf(directory, "plan", "--account", "dev", "--detailed-exitcode") == 0


def test_plans_made_by_apply_are_dropped_unless_confirmed(
    project: Project, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    directory, _ = project
    converge(directory, ["prod"], tmp_path / "start")  # prod has a role to protect
    plan_dir = tmp_path / "plans"
    plans = ["--plan-dir", str(plan_dir)]
    with without_prod_admin(directory):
        assert orgtf(directory, "apply", "--all", "--yes", *plans) == 1  # protected: refused
        assert not list(plan_dir.glob("*.tfplan"))
        code, screen = run_in_terminal(directory, None, "apply", "--account", "master", *plans)
        assert code == 130, screen
        assert not list(plan_dir.glob("*.tfplan"))
        capsys.readouterr()
        assert orgtf(directory, "apply", "--account", "master", *plans) == 4  # nothing reviewed


def test_plan_warns_about_files_and_state_it_does_not_manage(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    directory, target = project
    ghost = target.work_dir / "environments" / "ghost"
    extra = target.work_dir / "environments" / "dev" / "extra.tf"
    try:
        ghost.mkdir(parents=True)
        (ghost / "terraform.tfstate").write_text('{"version": 4, "resources": []}')
        extra.parent.mkdir(parents=True, exist_ok=True)
        extra.write_text('output "extra" { value = 1 }\n')
        capsys.readouterr()
        assert orgtf(directory, "plan", "--account", "dev") == 0
        err = capsys.readouterr().err
        assert "account ghost is no longer in org.yaml" in err
        assert "environments/dev/extra.tf" in err
        assert "orgtf render --check` fails until they are removed" in err
    finally:
        extra.unlink(missing_ok=True)
        (ghost / "terraform.tfstate").unlink(missing_ok=True)
        ghost.rmdir()
