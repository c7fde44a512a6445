"""Plans that scale out, end to end in the sandbox: `affected` against what a full plan
changes, `plan --affected`, three shards run at once and merged into the unsharded report,
and `apply` of the shards' plans on a runner that made none of them.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from orgtf.cli import main
from tests.run.git_history import start_history
from tests.run.test_affected import ORG
from tests.support.engine import Project, converge, edited_org, orgtf, sandbox_project, spawn_orgtf
from tests.support.sandbox import with_s3_state

pytestmark = pytest.mark.sandbox

ACCOUNTS = ["master", "dev", "prod", "qa"]
READER = ORG[ORG.index("  Reader:") : ORG.index("groups:")]
ROLE_CHANGE = ("description: Read everything", "description: Read almost everything")
GRANT_CHANGE = ("roles: [prod/Admin, dev/Admin]", "roles: [prod/Admin, dev/Admin, qa/Reader]")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    """ORG with its state in S3 (as CI keeps it), in a git repository of its own."""
    directory = tmp_path_factory.mktemp("affected")
    with sandbox_project(directory, with_s3_state(ORG)) as shared:
        start_history(directory)
        yield shared


def run_json(project: Path, capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    capsys.readouterr()
    code = orgtf(project, *argv, "--format", "json")
    out = capsys.readouterr().out
    assert code in (0, 2), out
    return json.loads(out)


def changed(report: dict[str, Any]) -> list[str]:
    return [a["account"] for a in report["accounts"] if a["status"] != "no-changes"]


@pytest.mark.parametrize(("edit", "expected"), [(ROLE_CHANGE, ["qa"]), (GRANT_CHANGE, ["master"])])
def test_affected_is_what_a_full_plan_changes(
    project: Project,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    edit: tuple[str, str],
    expected: list[str],
) -> None:
    directory, _ = project
    converge(directory, ACCOUNTS, tmp_path / "converge")
    with edited_org(directory, *edit):
        found = run_json(directory, capsys, "affected", "--base-ref", "HEAD")
        assert found["accounts"] == expected
        full = run_json(directory, capsys, "plan", "--plan-dir", str(tmp_path / "full"))
        assert sorted(changed(full)) == sorted(expected)  # nothing missed, nothing more
        some = run_json(
            directory, capsys, "plan", "--affected", "--base-ref", "HEAD",
            "--plan-dir", str(tmp_path / "affected"),
        )  # fmt: skip
        assert [a["account"] for a in some["accounts"]] == sorted(expected)
        assert changed(some) == sorted(expected)


def test_a_removed_account_is_named_not_planned(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    directory, _ = project
    with (
        edited_org(directory, '  qa: {id: "444444444444"}\n', ""),
        edited_org(directory, READER, ""),
    ):
        capsys.readouterr()
        assert orgtf(directory, "plan", "--affected", "--base-ref", "HEAD") == 0
    err = capsys.readouterr().err
    assert "warning: account qa was removed from org.yaml since HEAD" in err
    assert "its state still holds its resources" in err


def test_three_shards_merge_into_the_unsharded_report_and_apply_elsewhere(
    project: Project, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    directory, target = project
    converge(directory, ACCOUNTS, tmp_path / "converge")
    with ExitStack() as edits:
        edits.enter_context(edited_org(directory, *ROLE_CHANGE))
        edits.enter_context(edited_org(directory, *GRANT_CHANGE))
        edits.enter_context(
            edited_org(directory, "groups:\n", "  Deployer: {accounts: [dev]}\ngroups:\n")
        )
        whole = unsharded_reports(directory, capsys, tmp_path)
        shards = [tmp_path / f"shard-{k}.json" for k in (1, 2, 3)]
        running = [
            spawn_orgtf(
                directory, "plan", "--shard", f"{k}/3", "--format", "json",
                "--output", str(shards[k - 1]), "--plan-dir", str(tmp_path / f"plans-{k}"),
            )
            for k in (1, 2, 3)
        ]  # fmt: skip
        for shard in running:
            _, err = shard.communicate(timeout=600)
            assert shard.returncode == 0, err
        planned = [a["account"] for s in shards for a in json.loads(s.read_text())["accounts"]]
        assert sorted(planned) == sorted(ACCOUNTS)  # disjoint, and every account
        for fmt, expected in whole.items():
            capsys.readouterr()
            assert main(["report", "merge", *map(str, shards), "--format", fmt]) == 0
            assert capsys.readouterr().out == expected, fmt
        apply_elsewhere(directory, target.state_dir, capsys, tmp_path)


def unsharded_reports(
    directory: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> dict[str, str]:
    """The unsharded plan's report as JSON and text (markdown: test_merge.py, from records)."""
    output, plan_dir = tmp_path / "whole.json", str(tmp_path / "whole")
    capsys.readouterr()
    argv = ["plan", "--format", "json", "--output", str(output), "--plan-dir", plan_dir]
    assert orgtf(directory, *argv) == 0
    text = capsys.readouterr().out  # printed beside the report written
    return {"json": output.read_text(), "text": text}


def apply_elsewhere(
    directory: Path, state_dir: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Apply the shards' plans from one artifact directory, as a runner that made none of
    them: a stale one is refused, the others are applied."""
    artifact = tmp_path / "artifact"
    for k in (1, 2, 3):
        shutil.copytree(tmp_path / f"plans-{k}", artifact, dirs_exist_ok=True)
    dev = ["apply", "--account", "dev", "--yes", "--plan-dir", str(tmp_path / "dev")]
    assert orgtf(directory, *dev) == 0  # dev's state moves on: its shard plan is stale
    capsys.readouterr()
    assert orgtf(directory, "apply", "--all", "--plan-dir", str(artifact)) == 1
    assert "the state of account dev changed since its plan was made" in capsys.readouterr().err
    shutil.rmtree(state_dir / "tree")  # a fresh runner: no rendered tree, no data dirs
    shutil.rmtree(state_dir / "data")
    others = [arg for account in ("master", "prod", "qa") for arg in ("--account", account)]
    assert orgtf(directory, "apply", *others, "--plan-dir", str(artifact)) == 0
    applied = capsys.readouterr().out
    assert "applied" in applied and "failed: -" in applied
