"""MFA by account: the effective values and what validate says of opting out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from orgtf.cli import main
from orgtf.config import RoleRef, load_organization

MASTER = "012345678901"


def organization(**changes: Any) -> dict[str, Any]:
    """An org whose production account requires MFA; ``changes`` replace top-level sections."""
    data: dict[str, Any] = {
        "organization": {"name": "example", "master_account": "master"},
        "accounts": {
            "master": {"id": MASTER},
            "production": {"id": "123456789012", "protected": True, "require_mfa": True},
            "qa": {"id": "234567890123"},
        },
        "roles": {
            "ReadOnly": {"accounts": ["production", "qa"]},
            "Deploy": {"accounts": ["qa"], "require_mfa": True},
        },
        "groups": {"devs": {"roles": ["production/ReadOnly", "qa/ReadOnly", "qa/Deploy"]}},
        "users": {"alice": {"groups": ["devs"]}},
    }
    data.update(changes)
    return data


def write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "org.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def validate(
    tmp_path: Path, data: dict[str, Any], capsys: pytest.CaptureFixture[str], *argv: str
) -> tuple[int, str, str]:
    code = main(["--config", str(write(tmp_path, data)), "validate", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def findings(output: str, severity: str) -> list[str]:
    """The lines of ``severity``, with the file path cut down to its name."""
    marker = f": {severity}: "
    return [line[line.index("org.yaml:") :] for line in output.splitlines() if marker in line]


def test_an_unset_require_mfa_takes_the_accounts(tmp_path: Path) -> None:
    org = load_organization(write(tmp_path, organization()))
    assert org.requires_mfa(RoleRef("production", "ReadOnly")) is True
    assert org.requires_mfa(RoleRef("qa", "ReadOnly")) is False
    assert org.requires_mfa(RoleRef("qa", "Deploy")) is True  # the role's own true wins
    assert org.warnings == ()


def test_a_file_without_the_new_keys_means_what_it_did(tmp_path: Path) -> None:
    data = organization()
    del data["accounts"]["production"]["require_mfa"]
    org = load_organization(write(tmp_path, data))
    assert org.config.roles["ReadOnly"].require_mfa is None
    assert not org.requires_mfa(RoleRef("production", "ReadOnly"))


def test_a_role_opting_out_in_a_protected_account_is_warned_about(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = organization()
    data["roles"]["ReadOnly"]["require_mfa"] = False
    code, out, err = validate(tmp_path, data, capsys)
    assert code == 0
    assert "valid: organization 'example'" in out
    assert findings(err, "warning") == [
        "org.yaml:18:18: warning: role 'ReadOnly' opts out of MFA in protected account "
        "'production', whose roles require MFA (accounts.production.require_mfa); its users "
        "may assume it without MFA"
    ]
    org = load_organization(tmp_path / "org.yaml")
    assert not org.requires_mfa(RoleRef("production", "ReadOnly"))
    assert [w.severity for w in org.warnings] == ["warning"]


def test_warnings_in_json_leave_the_file_valid(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = organization()
    data["roles"]["ReadOnly"]["require_mfa"] = False
    code, out, _ = validate(tmp_path, data, capsys, "--format", "json")
    document = json.loads(out)
    assert code == 0 and document["valid"] is True
    assert [(f["severity"], f["line"]) for f in document["findings"]] == [("warning", 18)]


def test_a_warning_comes_with_the_errors_when_there_are_some(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = organization()
    data["roles"]["ReadOnly"]["require_mfa"] = False
    data["roles"]["Deploy"]["accounts"] = ["qa", "qa"]
    code, out, err = validate(tmp_path, data, capsys)
    assert code == 3
    assert len(findings(out + err, "warning")) == 1
    assert len(findings(out + err, "error")) == 1


@pytest.mark.parametrize(
    ("account", "role"),
    [
        ({"protected": True}, {"require_mfa": False}),  # the account requires nothing
        ({"require_mfa": True}, {"require_mfa": False}),  # not protected
        ({"protected": True, "require_mfa": True}, {}),  # no opt-out
    ],
)
def test_no_warning_without_an_opt_out_of_a_protected_accounts_mfa(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    account: dict[str, Any],
    role: dict[str, Any],
) -> None:
    data = organization()
    data["accounts"]["production"] = {"id": "123456789012", **account}
    data["roles"]["ReadOnly"].update(role)
    code, out, err = validate(tmp_path, data, capsys)
    assert code == 0
    assert findings(out + err, "warning") == []
