"""`orgtf access diff`: the semantic change between two versions of org.yaml, for reviewers and CI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from orgtf.access.diff import AccessChange, AccessDiff, ConfigChange
from orgtf.access.format import format_diff
from orgtf.cli import main

EXAMPLE = Path(__file__).parents[2] / "org.yaml"
Mutation = Callable[[dict[str, Any]], None]


def write_version(path: Path, mutate: Mutation | None = None) -> Path:
    data = yaml.safe_load(EXAMPLE.read_text())
    if mutate is not None:
        mutate(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def diff(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, mutate: Mutation, *extra: str
) -> tuple[int, str, str]:
    base = write_version(tmp_path / "base.yaml")
    new = write_version(tmp_path / "org.yaml", mutate)
    code = main(["--config", str(new), "access", "diff", "--base", str(base), *extra])
    out, err = capsys.readouterr()
    return code, out, err


def lines(out: str) -> list[str]:
    return [line.strip() for line in out.splitlines()]


def join_operators(data: dict[str, Any]) -> None:
    data["users"]["alice"]["groups"].append("operators")


def test_grant_through_new_group_membership(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = diff(capsys, tmp_path, join_operators)
    assert code == 0
    assert err == ""
    got = lines(out)
    assert "+ alice production/FooMonitoring via operators [protected account]" in got
    assert "+ alice production/RdsOperator via operators [protected account, MFA]" in got
    assert "+ user alice joins group operators" in got
    assert got[-1] == "Summary: 2 granted (2 in protected accounts), 0 revoked, 1 other change"


@pytest.mark.parametrize(("fail_on", "expected"), [("grant-protected", 1), ("grant", 1)])
def test_fail_on_protected_grant(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fail_on: str, expected: int
) -> None:
    code, out, err = diff(capsys, tmp_path, join_operators, "--fail-on", fail_on)
    assert code == expected
    assert "+ alice production/RdsOperator" in out
    assert "2 access grants" in err
    assert f"--fail-on {fail_on}" in err


def grant_sandbox_to_developers(data: dict[str, Any]) -> None:
    data["groups"]["alfie-developers"]["roles"].append("sandbox/SandboxUser")


def test_grant_through_group_gaining_a_role(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = diff(capsys, tmp_path, grant_sandbox_to_developers)
    assert code == 0
    got = lines(out)
    assert "+ bob sandbox/SandboxUser via alfie-developers" in got
    # alice could already assume it; she now holds it through two groups.
    assert (
        "~ alice sandbox/SandboxUser via alfie-developers, sandbox-users (was via sandbox-users)"
        in got
    )
    assert "+ group alfie-developers grants sandbox/SandboxUser" in got
    for fail_on, expected in (("grant-protected", 0), ("grant", 1)):
        code, _, _ = diff(capsys, tmp_path, grant_sandbox_to_developers, "--fail-on", fail_on)
        assert code == expected, fail_on


def test_revoke(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def bob_leaves(data: dict[str, Any]) -> None:
        data["users"]["bob"]["groups"] = []

    code, out, _ = diff(capsys, tmp_path, bob_leaves, "--fail-on", "grant")
    assert code == 0
    got = lines(out)
    assert (
        "- bob production/AlfieReadOnly (was via alfie-developers) [protected account, MFA]" in got
    )
    assert "- bob qa/AlfieDeployment (was via alfie-developers)" in got
    assert "- user bob leaves group alfie-developers" in got
    assert "0 granted (0 in protected accounts), 3 revoked" in out


def test_role_removed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def drop_rds(data: dict[str, Any]) -> None:
        del data["roles"]["RdsOperator"]
        data["groups"]["operators"]["roles"].remove("production/RdsOperator")

    code, out, _ = diff(capsys, tmp_path, drop_rds)
    assert code == 0
    got = lines(out)
    assert "- role production/RdsOperator" in got
    assert "- group operators no longer grants production/RdsOperator" in got
    assert "- carol production/RdsOperator (was via operators) [protected account, MFA]" in got


def test_role_added_to_an_account(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def deploy_to_qa(data: dict[str, Any]) -> None:
        data["roles"]["FooMonitoring"]["accounts"].append("qa")

    code, out, _ = diff(capsys, tmp_path, deploy_to_qa)
    assert code == 0
    assert lines(out)[1:] == ["Other changes:", "+ role qa/FooMonitoring", lines(out)[-1]]


def test_mfa_toggled(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def no_mfa(data: dict[str, Any]) -> None:
        data["roles"]["AlfieReadOnly"]["require_mfa"] = False

    code, out, _ = diff(capsys, tmp_path, no_mfa)
    assert code == 0
    got = lines(out)
    assert "~ role production/AlfieReadOnly: require_mfa true -> false" in got
    assert not any(line.startswith(("+ alice", "- alice")) for line in got)


def test_session_length_changed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def longer(data: dict[str, Any]) -> None:
        data["roles"]["AlfieDeployment"]["max_session_duration"] = 10800

    code, out, _ = diff(capsys, tmp_path, longer, "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["access"] == []
    assert data["changes"] == [
        {
            "action": "changed",
            "field": "max_session_duration",
            "kind": "role",
            "new": "10800",
            "old": "7200",
            "subject": "qa/AlfieDeployment",
        }
    ]


def test_protection_in_the_new_config_counts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def protect_sandbox(data: dict[str, Any]) -> None:
        data["accounts"]["sandbox"]["protected"] = True
        data["users"]["bob"]["groups"].append("sandbox-users")

    code, out, _ = diff(capsys, tmp_path, protect_sandbox, "--fail-on", "grant-protected")
    assert code == 1
    assert "+ bob sandbox/SandboxUser via sandbox-users [protected account]" in lines(out)
    assert "~ account sandbox: protected false -> true" in lines(out)


def test_unprotecting_while_granting_still_counts_as_protected(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def unprotect_and_grant(data: dict[str, Any]) -> None:
        del data["accounts"]["production"]["protected"]
        data["groups"]["rds"] = {"roles": ["production/RdsOperator"]}
        data["users"]["bob"]["groups"].append("rds")

    code, out, err = diff(capsys, tmp_path, unprotect_and_grant, "--fail-on", "grant-protected")
    assert code == 1
    got = lines(out)
    assert "+ bob production/RdsOperator via rds [protected account, MFA]" in got
    assert "~ account production: protected true -> false" in got
    assert "1 access grant in protected accounts" in err
    code, out, _ = diff(capsys, tmp_path, unprotect_and_grant, "--format", "json")
    assert json.loads(out)["summary"]["granted_protected"] == 1


def test_renaming_a_protected_account_does_not_hide_grants(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def rename_production(data: dict[str, Any]) -> None:
        data["accounts"]["prod"] = {"id": data["accounts"].pop("production")["id"]}
        for role in data["roles"].values():
            role["accounts"] = ["prod" if a == "production" else a for a in role["accounts"]]
        for group in data["groups"].values():
            group["roles"] = [r.replace("production/", "prod/") for r in group["roles"]]
        join_operators(data)

    code, out, _ = diff(capsys, tmp_path, rename_production, "--fail-on", "grant-protected")
    assert code == 1
    assert "+ alice prod/RdsOperator via operators [protected account, MFA]" in lines(out)


ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"


def developers_get_admin(data: dict[str, Any]) -> None:
    data["groups"]["alfie-developers"]["managed_policy_arns"] = [ADMIN]


@pytest.mark.parametrize("fail_on", ["grant", "grant-protected"])
def test_group_gaining_a_managed_policy_is_a_broad_grant(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fail_on: str
) -> None:
    code, out, err = diff(capsys, tmp_path, developers_get_admin, "--fail-on", fail_on)
    assert code == 1
    got = lines(out)
    for user in ("alice", "bob"):
        assert (
            f"+ {user} managed policy {ADMIN} via alfie-developers "
            "[broad: may assume any role, protected accounts]" in got
        )
    assert not any(line.startswith("+ carol") for line in got)
    assert f"~ group alfie-developers: managed_policy_arns (none) -> {ADMIN}" in got
    assert got[-1] == (
        "Summary: 0 granted (0 in protected accounts), 0 revoked, "
        "2 broad grants through group policies, 1 other change"
    )
    assert "2 access grants" in err and "2 through group policies" in err


def test_joining_a_group_with_a_managed_policy_is_a_broad_grant(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def carol_joins(data: dict[str, Any]) -> None:
        developers_get_admin(data)
        data["users"]["carol"]["groups"].append("alfie-developers")

    base = write_version(tmp_path / "base.yaml", developers_get_admin)
    new = write_version(tmp_path / "org.yaml", carol_joins)
    argv = ["--config", str(new), "access", "diff", "--base", str(base), "--format", "json"]
    assert main([*argv, "--fail-on", "grant"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["policy_grants"] == [
        {"groups": ["alfie-developers"], "policy_arn": ADMIN, "protected": True, "user": "carol"}
    ]
    assert data["summary"]["policy_grants"] == 1
    # The reverse (carol leaves) gains nothing.
    argv = ["--config", str(base), "access", "diff", "--base", str(new), "--fail-on", "grant"]
    assert main(argv) == 0
    assert "managed policy" not in capsys.readouterr().out


def test_broad_grant_in_markdown(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = diff(capsys, tmp_path, developers_get_admin, "--format", "markdown")
    assert code == 0
    gained = f"alice → {ADMIN}; bob → {ADMIN}"
    assert f"**Group policies gained (may reach any role):** {gained}" in out
    block = out.split("```diff\n", 1)[1].split("```", 1)[0].splitlines()
    assert any(line.startswith(f"+ bob managed policy {ADMIN}") for line in block)


def test_format_before_diff_is_kept(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = write_version(tmp_path / "base.yaml")
    new = write_version(tmp_path / "org.yaml", join_operators)
    config = ["--config", str(new), "access"]
    assert main([*config, "--format", "json", "diff", "--base", str(base)]) == 0
    assert json.loads(capsys.readouterr().out)["summary"]["granted"] == 2
    assert main([*config, "diff", "--base", str(base), "--format", "markdown"]) == 0
    assert capsys.readouterr().out.startswith("### orgtf access diff\n")
    assert main([*config, "diff", "--base", str(base)]) == 0
    assert capsys.readouterr().out.startswith("Changes from ")


def test_diff_usage_names_the_sub_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["access", "diff", "--help"])
    assert exited.value.code == 0
    usage = capsys.readouterr().out.split("\n\n", 1)[0]
    assert usage.startswith("usage: orgtf access diff [-h]")
    assert "(--base OLD_ORG_YAML | --base-ref" in " ".join(usage.split())
    assert "[--user NAME" not in usage and "diff diff" not in " ".join(usage.split())
    assert main(["access", "diff"]) == 4
    assert "\nusage: orgtf access diff [-h]" in capsys.readouterr().err


def test_accounts_users_and_policies(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def reorganise(data: dict[str, Any]) -> None:
        data["accounts"]["staging"] = {"id": "567890123456"}
        del data["users"]["carol"]
        data["users"]["dave"] = {"groups": ["sandbox-users"]}
        data["policies"]["rds-destructive"]["document"]["Statement"][0]["Action"].append(
            "rds:ModifyDBInstance"
        )

    code, out, _ = diff(capsys, tmp_path, reorganise)
    assert code == 0
    got = lines(out)
    assert "+ account staging (567890123456)" in got
    assert "- user carol" in got
    assert "+ user dave" in got
    assert "+ user dave joins group sandbox-users" in got
    assert "~ policy rds-destructive: document changed" in got
    assert "+ dave sandbox/SandboxUser via sandbox-users" in got
    assert "- carol sandbox/SandboxUser (was via sandbox-users)" in got


def test_turning_mfa_off_has_no_max_age_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def mfa_off(data: dict[str, Any]) -> None:
        data["roles"]["RdsOperator"]["require_mfa"] = False  # its mfa_max_age: 900 stays
        data["roles"]["AlfieDeployment"]["mfa_max_age"] = 600  # MFA off on both sides

    code, out, _ = diff(capsys, tmp_path, mfa_off)
    assert code == 0
    assert lines(out)[1:] == [
        "Other changes:",
        "~ role production/RdsOperator: require_mfa true -> false",
        "Summary: 0 granted (0 in protected accounts), 0 revoked, 1 other change",
    ]

    def mfa_on(data: dict[str, Any]) -> None:
        data["roles"]["SandboxUser"]["require_mfa"] = True

    _, out, _ = diff(capsys, tmp_path, mfa_on)
    assert "~ role sandbox/SandboxUser: mfa_max_age (none) -> 3600" in lines(out)


def test_no_changes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def reorder_only(data: dict[str, Any]) -> None:
        data["users"] = dict(reversed(data["users"].items()))

    code, out, _ = diff(capsys, tmp_path, reorder_only, "--fail-on", "grant")
    assert code == 0
    assert out.startswith("No changes between ")


def test_markdown_for_pull_requests(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = diff(capsys, tmp_path, join_operators, "--format", "markdown")
    assert code == 0
    assert out.startswith("### orgtf access diff\n")
    assert "**Access gained in protected accounts:** alice → production/FooMonitoring" in out
    block = out.split("```diff\n", 1)[1].split("```", 1)[0].splitlines()
    assert "+ alice production/RdsOperator via operators [protected account, MFA]" in block


def test_json_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = diff(capsys, tmp_path, join_operators, "--format", "json")
    assert code == 0
    assert out == json.dumps(json.loads(out), indent=2, sort_keys=True) + "\n"
    data = json.loads(out)
    assert data["summary"] == {
        "changed": 0,
        "granted": 2,
        "granted_protected": 2,
        "other_changes": 1,
        "policy_grants": 0,
        "revoked": 0,
    }
    assert data["access"][0]["role"] == "production/FooMonitoring"
    assert data["access"][0]["action"] == "granted"
    assert data["access"][0]["role_arn"] == "arn:aws:iam::123456789012:role/FooMonitoring"


def test_invalid_base_is_reported_as_the_base(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new = write_version(tmp_path / "org.yaml")
    base = tmp_path / "old.yaml"
    base.write_text(EXAMPLE.read_text().replace("[sandbox/SandboxUser]", "[sandbox/Nope]"))
    code = main(["--config", str(new), "access", "diff", "--base", str(base)])
    err = capsys.readouterr().err
    assert code == 3
    assert f"the base configuration {base} is invalid" in err
    assert f"{base}:" in err and "Nope" in err


def test_missing_base_file_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new = write_version(tmp_path / "org.yaml")
    gone = tmp_path / "gone.yaml"
    assert main(["--config", str(new), "access", "diff", "--base", str(gone)]) == 4
    assert capsys.readouterr().err == f"orgtf: error: --base {gone} does not exist\n"
    assert main(["--config", str(new), "access", "diff", "--base", str(tmp_path)]) == 4
    assert capsys.readouterr().err == f"orgtf: error: --base {tmp_path} is not a file\n"


@pytest.mark.parametrize(
    "argv",
    [
        ["access", "diff"],
        ["access", "diff", "--base", "a.yaml", "--base-ref", "HEAD"],
        ["access", "diff", "--base", "a.yaml", "--fail-on", "everything"],
        ["access", "--user", "alice", "diff", "--base", "a.yaml"],
    ],
)
def test_diff_usage_errors(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 4
    assert capsys.readouterr().err.startswith("orgtf: error: ")


# --- --base-ref against a real git history ------------------------------------------------


def git(repo: Path, *args: str) -> None:
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(repo),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository with org.yaml in infra/: the example, then alice joins operators."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    root = tmp_path_factory.mktemp("repo")
    git(root, "init", "-q")
    (root / "README").write_text("first commit has no org.yaml\n")
    git(root, "add", ".")
    git(root, "commit", "-qm", "start")
    (root / "infra").mkdir()
    write_version(root / "infra" / "org.yaml")
    git(root, "add", ".")
    git(root, "commit", "-qm", "example")
    write_version(root / "infra" / "org.yaml", join_operators)
    git(root, "commit", "-qam", "alice joins operators")
    return root


def test_base_ref(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = repo / "infra" / "org.yaml"
    code = main(["--config", str(config), "access", "diff", "--base-ref", "HEAD~1"])
    out = capsys.readouterr().out
    assert code == 0
    assert out.splitlines()[0] == f"Changes from HEAD~1:infra/org.yaml to {config}:"
    assert "+ alice production/RdsOperator via operators [protected account, MFA]" in lines(out)
    code = main(
        ["--config", str(config), "access", "diff", "--base-ref", "HEAD~1", "--fail-on", "grant"]
    )
    assert code == 1
    capsys.readouterr()
    code = main(["--config", str(config), "access", "diff", "--base-ref", "HEAD"])
    assert code == 0
    assert capsys.readouterr().out.startswith("No changes between HEAD:infra/org.yaml")


def test_base_ref_from_the_config_directory(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo / "infra")
    monkeypatch.delenv("ORGTF_CONFIG", raising=False)
    assert main(["access", "diff", "--base-ref", "HEAD~1", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["base"] == "HEAD~1:infra/org.yaml"
    assert data["summary"]["granted_protected"] == 2


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("no-such-branch", "unknown git revision 'no-such-branch'"),
        ("HEAD~2", "infra/org.yaml does not exist at git revision 'HEAD~2'"),
        ("HEAD~9", "unknown git revision 'HEAD~9'"),
        ("--output=x", "invalid git revision '--output=x'"),
        ("HEAD:README", "invalid git revision 'HEAD:README'"),
    ],
)
def test_bad_base_ref(
    repo: Path, capsys: pytest.CaptureFixture[str], ref: str, message: str
) -> None:
    config = repo / "infra" / "org.yaml"
    code = main(["--config", str(config), "access", "diff", f"--base-ref={ref}"])
    err = capsys.readouterr().err
    assert code == 4
    assert message in err
    assert not (repo / "infra" / "x").exists()


def test_base_ref_outside_a_repository(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_version(tmp_path / "org.yaml")
    code = main(["--config", str(config), "access", "diff", "--base-ref", "HEAD"])
    assert code == 4
    assert "--base-ref needs the config file in a git repository" in capsys.readouterr().err


def test_invalid_config_at_base_ref(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    config = tmp_path / "org.yaml"
    config.write_text("organization: {name: broken}\n")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "broken")
    write_version(config)
    code = main(["--config", str(config), "access", "diff", "--base-ref", "HEAD"])
    err = capsys.readouterr().err
    assert code == 3
    assert "the base configuration HEAD:org.yaml is invalid" in err
    assert "HEAD:org.yaml:1:1: error: missing required key 'accounts'" in err


# --- hostile text: values from org.yaml cannot forge lines, break fences or inject HTML


def test_markdown_block_survives_backticks_in_a_policy_arn(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    arn = "arn:aws:iam::aws:policy/a```b<i>|c/Admin"  # a valid policy ARN: any path

    def hostile_policy(data: dict[str, Any]) -> None:
        data["groups"]["alfie-developers"]["managed_policy_arns"] = [arn]

    code, out, _ = diff(capsys, tmp_path, hostile_policy, "--format", "markdown")
    assert code == 0
    assert (
        "**Group policies gained (may reach any role):** alice → arn:aws:iam::aws:policy/a&#96;&#96;&#96;b&#60;i&#62;&#124;c/Admin;"
        in out
    )
    block = out.split("````diff\n", 1)[1].split("\n````\n", 1)[0].splitlines()
    assert (
        f"+ bob managed policy {arn} via alfie-developers [broad: may assume any role, protected accounts]"
        in block
    )
    assert "<i>" not in out.replace("\n".join(block), "")  # only inside the code block


def test_text_and_markdown_neutralise_control_characters_and_forged_lines() -> None:
    hostile = AccessDiff(
        base="old`|<b>\x1b[2J.yaml",
        new="org.yaml",
        access=(
            AccessChange(
                "granted", "eve\x1b[31m", "prod", "Admin", "arn", ("ops",), (), True, False
            ),
        ),
        changes=(
            ConfigChange(
                "role", "changed", "qa/X", "path", "/a/", "/b/\n+ mallory prod/Admin via admins"
            ),
        ),
    )
    text = format_diff(hostile, "text")
    assert "\x1b" not in text and text.startswith("Changes from old`|<b>?[2J.yaml to org.yaml:")
    assert not any(line.lstrip().startswith("+ mallory") for line in text.splitlines())
    assert "~ role qa/X: path /a/ -> /b/ + mallory prod/Admin via admins" in text
    markdown = format_diff(hostile, "markdown")
    assert "\x1b" not in markdown and "<b>" not in markdown
    assert "old&#96;&#124;&#60;b&#62;?&#91;2J.yaml → `org.yaml`" in markdown
    assert "**Access gained in protected accounts:** eve?&#91;31m → prod/Admin" in markdown
    assert "+ eve?[31m prod/Admin via ops [protected account]" in markdown.splitlines()
    assert not any(line.startswith("+ mallory") for line in markdown.splitlines())
