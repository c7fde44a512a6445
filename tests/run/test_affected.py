"""`orgtf affected`: the accounts whose rendered root differs from a git revision's.

These run without Terraform: what an account's plan would show is checked end to end in
test_affected_sandbox.py; here the comparison itself, against real git histories.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from orgtf.cli import main
from orgtf.config import load_organization
from orgtf.run.shards import Shard, shard_accounts
from tests.run.git_history import commit, git, start_history

ORG = """\
organization:
  name: testorg
  master_account: master
  region: us-east-1
  access_role: OrganizationAccountAccessRole
  state: {backend: local}
accounts:
  master: {id: "111111111111"}
  prod: {id: "222222222222", protected: true}
  dev: {id: "333333333333"}
  qa: {id: "444444444444"}
roles:
  Admin:
    accounts: [prod, dev]
    managed_policy_arns: [arn:aws:iam::aws:policy/AdministratorAccess]
  Reader:
    accounts: [qa]
    description: Read everything
    managed_policy_arns: [arn:aws:iam::aws:policy/ReadOnlyAccess]
groups:
  admins:
    roles: [prod/Admin, dev/Admin]
users:
  alice: {groups: [admins]}
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A repository holding ORG, committed."""
    directory = tmp_path / "project"
    directory.mkdir()
    (directory / "org.yaml").write_text(ORG)
    start_history(directory)
    return directory


def edit(project: Path, old: str, new: str) -> None:
    config = project / "org.yaml"
    text = config.read_text()
    assert old in text, old
    config.write_text(text.replace(old, new, 1))


def affected(
    project: Path, capsys: pytest.CaptureFixture[str], *extra: str, ref: str = "HEAD"
) -> dict[str, Any]:
    capsys.readouterr()
    argv = ["--config", str(project / "org.yaml"), "affected", "--base-ref", ref]
    assert main([*argv, "--format", "json", *extra]) == 0
    document: dict[str, Any] = json.loads(capsys.readouterr().out)
    return document


def test_one_role_changed_in_one_account(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(project, "description: Read everything", "description: Read almost everything")
    found = affected(project, capsys)
    assert found["accounts"] == ["qa"]
    assert found["removed"] == []
    assert found["changes"] == {"qa": ["environments/qa/orgtf.auto.tfvars.json"]}
    assert found["everything"] is None
    assert len(found["base"]["commit"]) == 40


def test_a_role_added_to_one_account_only(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(project, "groups:\n", "  Deployer: {accounts: [dev]}\ngroups:\n")
    assert affected(project, capsys)["accounts"] == ["dev"]


def test_no_change_affects_nothing(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    found = affected(project, capsys)
    assert found["accounts"] == [] and found["changes"] == {}


def test_a_grant_changes_the_master_account(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(project, "roles: [prod/Admin, dev/Admin]", "roles: [prod/Admin, dev/Admin, qa/Reader]")
    found = affected(project, capsys)
    assert found["accounts"] == ["master"]
    assert found["changes"]["master"] == ["environments/master/orgtf.auto.tfvars.json"]


def test_a_new_role_and_its_grant(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(project, "groups:\n", "  Deployer: {accounts: [dev]}\ngroups:\n")
    edit(project, "roles: [prod/Admin, dev/Admin]", "roles: [prod/Admin, dev/Admin, dev/Deployer]")
    assert affected(project, capsys)["accounts"] == ["master", "dev"]


def test_organization_settings_change_every_account(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(project, "region: us-east-1", "region: eu-west-1")
    assert affected(project, capsys)["accounts"] == ["master", "dev", "prod", "qa"]


def test_a_removed_account_is_named(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(project, '  qa: {id: "444444444444"}\n', "")
    edit(project, "    accounts: [qa]\n", "    accounts: [dev]\n")
    found = affected(project, capsys)
    assert found["removed"] == ["qa"]
    assert found["accounts"] == ["dev"]  # Reader moved there
    main(["--config", str(project / "org.yaml"), "affected", "--base-ref", "HEAD"])
    out = capsys.readouterr().out
    assert "removed from org.yaml since HEAD" in out
    assert "qa; its state still holds its resources" in out


def render_and_commit(project: Path, message: str) -> None:
    assert main(["--config", str(project / "org.yaml"), "render"]) == 0
    commit(project, message)


def age_modules(project: Path, *modules: str) -> None:
    """Commit modules as another orgtf rendered them, then render them as this one does."""
    for module in modules:
        path = project / "modules" / module / "main.tf"
        path.write_text(path.read_text() + "\n# as an older orgtf rendered it\n")
    commit(project, "older modules")
    assert main(["--config", str(project / "org.yaml"), "render"]) == 0


def test_a_module_change_affects_every_account_calling_it(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    render_and_commit(project, "rendered")
    age_modules(project, "account-roles")
    found = affected(project, capsys)
    assert found["accounts"] == ["dev", "prod", "qa"]  # the master account holds no roles
    assert found["changes"]["dev"] == ["modules/account-roles/main.tf"]


def test_a_change_to_both_modules_affects_every_account(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    render_and_commit(project, "rendered")
    age_modules(project, "account-roles", "identity-groups")
    assert affected(project, capsys)["accounts"] == ["master", "dev", "prod", "qa"]


def test_a_rendered_tree_committed_as_now_adds_nothing(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    render_and_commit(project, "rendered")
    edit(project, "description: Read everything", "description: Read more")
    assert affected(project, capsys)["accounts"] == ["qa"]


def test_a_changed_lock_file_affects_its_account(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    render_and_commit(project, "rendered")
    lock = project / "environments" / "dev" / ".terraform.lock.hcl"
    lock.write_text('provider "registry.terraform.io/hashicorp/aws" { version = "5.0.0" }\n')
    commit(project, "lock")
    lock.write_text('provider "registry.terraform.io/hashicorp/aws" { version = "5.1.0" }\n')
    found = affected(project, capsys)
    assert found["accounts"] == ["dev"]
    assert found["changes"]["dev"] == ["environments/dev/.terraform.lock.hcl"]


def test_an_invalid_base_affects_every_account(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(project, "users:\n", "usres:\n")
    commit(project, "broken")
    edit(project, "usres:\n", "users:\n")
    found = affected(project, capsys)
    assert found["accounts"] == ["master", "dev", "prod", "qa"]
    assert "org.yaml at HEAD" in found["everything"] and "is not valid" in found["everything"]


def test_no_org_yaml_at_the_base_affects_every_account(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    start_history(tmp_path)
    (tmp_path / "org.yaml").write_text(ORG)
    found = affected(tmp_path, capsys)
    assert found["accounts"] == ["master", "dev", "prod", "qa"]
    assert found["everything"].startswith("org.yaml does not exist at HEAD")


def test_github_matrix_deals_the_accounts_into_shards(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(project, "region: us-east-1", "region: eu-west-1")
    capsys.readouterr()
    argv = ["--config", str(project / "org.yaml"), "affected", "--base-ref", "HEAD"]
    assert main([*argv, "--format", "github-matrix", "--shards", "3"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1  # one line, for $GITHUB_OUTPUT
    include = json.loads(out)["include"]
    assert [entry["shard"] for entry in include] == ["1/3", "2/3", "3/3"]
    dealt = [a for entry in include for a in entry["accounts"].split()]
    assert sorted(dealt) == ["dev", "master", "prod", "qa"]
    head = git(project, "rev-parse", "HEAD").strip()
    assert {entry["base"] for entry in include} == {head}
    org = load_organization(project / "org.yaml")  # what `plan --shard K/N` will plan
    for entry in include:
        planned = shard_accounts(org, org.account_names(), Shard.parse(entry["shard"]))
        assert planned == entry["accounts"].split()


def test_github_matrix_of_nothing_is_empty(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    argv = ["--config", str(project / "org.yaml"), "affected", "--base-ref", "HEAD"]
    assert main([*argv, "--format", "github-matrix", "--shards", "4"]) == 0
    assert capsys.readouterr().out == '{"include":[]}\n'


def test_plan_with_nothing_affected_plans_nothing(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    config = ["--config", str(project / "org.yaml")]
    code = main([*config, "plan", "--affected", "--base-ref", "HEAD", "--detailed-exitcode"])
    out, err = capsys.readouterr()
    assert code == 0
    assert "nothing to plan: no account's root changed since HEAD" in err
    assert "0 accounts: 0 with changes" in out
    assert not (project / ".orgtf").exists()  # no lock taken, no Terraform started


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["affected"], "the following arguments are required: --base-ref"),
        (["affected", "--base-ref", "no-such-ref"], "unknown git revision 'no-such-ref'"),
        (["plan", "--affected"], "--affected needs --base-ref"),
        (["plan", "--base-ref", "HEAD"], "--base-ref goes with --affected"),
        (["plan", "--affected", "--base-ref", "HEAD", "--account", "dev"], "leave out --account"),
        (["plan", "--shard", "3/2"], "expected --shard K/N with 1 <= K <= N"),
        (["plan", "--shard", "0/2"], "expected --shard K/N with 1 <= K <= N"),
    ],
)
def test_usage_errors(
    project: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert main(["--config", str(project / "org.yaml"), *argv]) == 4
    assert message in capsys.readouterr().err
