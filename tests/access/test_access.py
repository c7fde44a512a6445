"""`orgtf access`: the user x role matrix from org.yaml alone, filtered and in every format."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from orgtf.access.format import format_report
from orgtf.access.matrix import AccessEntry, AccessReport, GroupPolicies
from orgtf.cli import main

EXAMPLE = Path(__file__).parents[2] / "org.yaml"

# The matrix of the example org.yaml: user -> {role: (groups, require_mfa)}.
EXPECTED = {
    "alice": {
        "development/AlfieFullAccess": (["alfie-developers"], False),
        "production/AlfieReadOnly": (["alfie-developers"], True),
        "qa/AlfieDeployment": (["alfie-developers"], False),
        "sandbox/SandboxUser": (["sandbox-users"], False),
    },
    "bob": {
        "development/AlfieFullAccess": (["alfie-developers"], False),
        "production/AlfieReadOnly": (["alfie-developers"], True),
        "qa/AlfieDeployment": (["alfie-developers"], False),
    },
    "carol": {
        "production/FooMonitoring": (["operators"], False),
        "production/RdsOperator": (["operators"], True),
        "sandbox/SandboxUser": (["sandbox-users"], False),
    },
}
ACCOUNT_IDS = {
    "production": "123456789012",
    "qa": "234567890123",
    "development": "345678901234",
    "sandbox": "456789012345",
}


@pytest.fixture
def config(tmp_path: Path) -> Path:
    target = tmp_path / "org.yaml"
    shutil.copyfile(EXAMPLE, target)
    return target


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def access_json(capsys: pytest.CaptureFixture[str], config: Path, *extra: str) -> Any:
    code, out, _ = run(capsys, "--config", str(config), "access", "--format", "json", *extra)
    assert code == 0
    return json.loads(out)


def test_matrix_of_the_example(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = access_json(capsys, config)
    got: dict[str, dict[str, tuple[list[str], bool]]] = {}
    for entry in data["access"]:
        got.setdefault(entry["user"], {})[entry["role"]] = (entry["groups"], entry["require_mfa"])
        account, role = entry["role"].split("/")
        assert entry["account"] == account
        assert entry["account_id"] == ACCOUNT_IDS[account]
        assert entry["role_arn"] == f"arn:aws:iam::{ACCOUNT_IDS[account]}:role/{role}"
        assert entry["protected"] is (account == "production")
    assert got == EXPECTED
    assert data["organization"] == "example"
    assert data["users_without_roles"] == []
    assert data["roles_without_users"] == []
    qa = next(e for e in data["access"] if e["role"] == "qa/AlfieDeployment")
    assert qa["max_session_duration"] == 7200


def test_json_is_deterministic_with_sorted_keys(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, first, _ = run(capsys, "--config", str(config), "access", "--format", "json")
    _, second, _ = run(capsys, "--config", str(config), "access", "--format", "json")
    assert first == second
    assert first == json.dumps(json.loads(first), indent=2, sort_keys=True) + "\n"


def test_user_filter(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = access_json(capsys, config, "--user", "carol")
    assert {e["user"] for e in data["access"]} == {"carol"}
    assert [e["role"] for e in data["access"]] == sorted(EXPECTED["carol"])


def test_role_filter(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = access_json(capsys, config, "--role", "production/AlfieReadOnly")
    assert [e["user"] for e in data["access"]] == ["alice", "bob"]
    assert all(e["require_mfa"] for e in data["access"])


def test_text_table(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--config", str(config), "access", "--user", "carol")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Access in organization example (from org.yaml)"
    header = next(line for line in lines if line.startswith("USER"))
    rds = next(line for line in lines if "RdsOperator" in line)
    assert rds.split() == [
        "carol",
        "production/RdsOperator",
        "(protected)",
        "yes",
        "1h",
        "operators",
        "arn:aws:iam::123456789012:role/RdsOperator",
    ]
    # Columns line up under their headers.
    assert rds.index("yes") == header.index("MFA")
    assert rds.index("arn:") == header.index("ROLE ARN")
    assert sum("carol" in line for line in lines) == 3


def test_markdown_table(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--config", str(config), "access", "--format", "markdown")
    assert code == 0
    rows = [line for line in out.splitlines() if line.startswith("| ")]
    assert rows[0] == "| User | Role | MFA | Max session | Groups | Role ARN |"
    assert len(rows) == 1 + 1 + sum(len(roles) for roles in EXPECTED.values())
    assert (
        "| bob | `qa/AlfieDeployment` | no | 2h | alfie-developers | "
        "`arn:aws:iam::234567890123:role/AlfieDeployment` |" in rows
    )


def test_users_and_roles_without_access_are_listed(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = yaml.safe_load(config.read_text())
    data["users"]["erin"] = {}
    data["roles"]["Auditor"] = {
        "accounts": ["qa", "production"],
        "managed_policy_arns": ["arn:aws:iam::aws:policy/SecurityAudit"],
    }
    config.write_text(yaml.safe_dump(data))
    report = access_json(capsys, config)
    assert report["users_without_roles"] == ["erin"]
    assert report["roles_without_users"] == ["production/Auditor", "qa/Auditor"]
    code, out, _ = run(capsys, "--config", str(config), "access")
    assert code == 0
    assert "Users who may assume no role: erin" in out
    assert "Roles no user may assume: production/Auditor, qa/Auditor" in out
    code, out, _ = run(capsys, "--config", str(config), "access", "--role", "qa/Auditor")
    assert code == 0
    assert "Roles no user may assume: qa/Auditor" in out
    assert "USER" not in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--user", "alise"], "unknown user 'alise' in {config} (did you mean 'alice'?)"),
        (
            ["--role", "production/AlfieReadOnli"],
            "unknown role 'production/AlfieReadOnli' in {config} "
            "(did you mean 'production/AlfieReadOnly'?)",
        ),
        (["--role", "qa/AlfieReadOnly"], "unknown role 'qa/AlfieReadOnly'"),
        (["--role", "AlfieReadOnly"], "write it as ACCOUNT/ROLE"),
        (["--user", "alice", "--role", "qa/AlfieDeployment"], "not allowed with argument"),
        (["--format", "yaml"], "invalid choice: 'yaml'"),
    ],
)
def test_usage_errors(
    config: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = run(capsys, "--config", str(config), "access", *argv)
    assert code == 4
    assert out == ""
    assert err.startswith("orgtf: error: ")
    assert message.format(config=config) in err
    assert "Traceback" not in err


def test_invalid_config_exits_3(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config.write_text(config.read_text().replace("roles: [sandbox/SandboxUser]", "roles: [x/Y]"))
    code, _, err = run(capsys, "--config", str(config), "access")
    assert code == 3
    assert f"{config}:" in err


def test_groups_with_managed_policies_are_flagged(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    admin = "arn:aws:iam::aws:policy/AdministratorAccess"
    data = yaml.safe_load(config.read_text())
    data["groups"]["operators"]["managed_policy_arns"] = [admin]
    config.write_text(yaml.safe_dump(data))
    report = access_json(capsys, config)
    assert report["group_policies"] == [
        {"group": "operators", "policy_arns": [admin], "users": ["carol"]}
    ]
    assert {e["user"] for e in report["access"]} == set(EXPECTED)  # the matrix is unchanged
    warning = (
        f"Warning: group operators also attaches {admin} to carol: if that allows "
        "sts:AssumeRole, they may assume any role, not only those listed"
    )
    code, out, _ = run(capsys, "--config", str(config), "access")
    assert code == 0
    assert warning in out.splitlines()
    code, out, _ = run(capsys, "--config", str(config), "access", "--format", "markdown")
    assert "- **Warning:** group operators also attaches" in out
    # Filters: bob is not in the group; any role may be reached through it.
    assert access_json(capsys, config, "--user", "bob")["group_policies"] == []
    by_role = access_json(capsys, config, "--role", "qa/AlfieDeployment")
    assert [g["group"] for g in by_role["group_policies"]] == ["operators"]
    code, out, _ = run(capsys, "--config", str(config), "access", "--user", "alice")
    assert "Warning" not in out


# --- hostile text: org.yaml values cannot break a table, inject HTML or reach the terminal raw


def test_markdown_escapes_a_hostile_role_path(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = yaml.safe_load(config.read_text())
    data["roles"]["AlfieDeployment"]["path"] = "/x|y`z<script>/"  # a valid IAM path
    config.write_text(yaml.safe_dump(data))
    code, out, _ = run(capsys, "--config", str(config), "access", "--format", "markdown")
    assert code == 0
    rows = [line for line in out.splitlines() if line.startswith("| ")]
    assert all(row.count("|") == 7 for row in rows)  # no value splits a cell
    assert "<script>" not in out and "y`z" not in out
    assert (
        "| arn:aws:iam::234567890123:role/x&#124;y&#96;z&#60;script&#62;/AlfieDeployment |" in out
    )
    code, out, _ = run(capsys, "--config", str(config), "access", "--user", "bob")
    assert "role/x|y`z<script>/AlfieDeployment" in out  # a terminal shows it as it is


def hostile_report() -> AccessReport:
    entry = AccessEntry(
        user="eve\x1b[31m",
        account="prod",
        role="Admin",
        account_id="123456789012",
        role_arn="arn:aws:iam::123456789012:role/Admin",
        groups=("ops\n| forged | row |", "**admins**"),
        require_mfa=True,
        max_session_duration=5400,
        protected=True,
    )
    policies = GroupPolicies("<b>ops</b>", ("arn:aws:iam::aws:policy/X",), ("eve\x07",))
    return AccessReport("acme", (entry,), ("mal`lory",), (), (policies,))


def test_text_and_markdown_escape_names_and_groups() -> None:
    text = format_report(hostile_report(), "text")
    assert "\x1b" not in text and "\x07" not in text
    assert "eve?[31m" in text and "ops | forged | row |, **admins**" in text
    assert len(text.splitlines()) == 7  # title, blank, header, one entry, blank, 2 notes
    markdown = format_report(hostile_report(), "markdown")
    assert "\x1b" not in markdown and "<b>" not in markdown and "**admins**" not in markdown
    (row,) = [line for line in markdown.splitlines() if line.startswith("| eve")]
    assert row == (
        "| eve?&#91;31m | `prod/Admin` (protected) | yes | 1h30m "
        "| ops &#124; forged &#124; row &#124;, &#42;&#42;admins&#42;&#42; "
        "| `arn:aws:iam::123456789012:role/Admin` |"
    )
    assert "- **Warning:** group &#60;b&#62;ops&#60;/b&#62; also attaches" in markdown
    assert "- Users who may assume no role: mal&#96;lory" in markdown
