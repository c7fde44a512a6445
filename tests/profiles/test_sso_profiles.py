"""Identity Center profiles: AWS CLI v2 sso-session profiles, read back with botocore."""

from __future__ import annotations

from pathlib import Path

import botocore.session
import pytest

from orgtf.cli import main
from tests.config.test_identity_center import IC_ORG

ORG = IC_ORG.replace(
    "  devs:\n    roles: [production/ReadOnly]\n",
    "  devs:\n    roles: [production/ReadOnly, master/ReadOnly]\n",
).replace("    accounts: [production]\n", "    accounts: [production, master]\n")


def write(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    (tmp_path / "org.yaml").write_text(ORG)
    config = tmp_path / "aws-config"
    argv = ["--config", str(tmp_path / "org.yaml"), "profiles", "--user", "alice.smith"]
    assert main([*argv, "--write", str(config)]) == 0
    capsys.readouterr()
    return config


def test_profiles_sign_in_through_the_sso_session(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write(tmp_path, capsys)
    session = botocore.session.Session(
        session_vars={"config_file": (None, None, str(config), None)}
    )
    profiles = session.full_config["profiles"]
    assert profiles["production-readonly"] == {
        "sso_session": "example",
        "sso_account_id": "123456789012",
        "sso_role_name": "ReadOnly",
        "region": "us-east-1",
    }
    assert profiles["master-readonly"]["sso_account_id"] == "012345678901"
    assert session.full_config["sso_sessions"]["example"] == {
        "sso_start_url": "https://d-1234567890.awsapps.com/start",
        "sso_region": "us-east-1",
        "sso_registration_scopes": "sso:account:access",
    }


def test_writing_again_changes_nothing_and_keeps_the_users_own(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "aws-config"
    config.write_text("[profile mine]\nregion = eu-west-1\n")
    write(tmp_path, capsys)
    first = config.read_text()
    write(tmp_path, capsys)
    assert config.read_text() == first and first.startswith("[profile mine]\nregion = eu-west-1\n")


def test_an_sso_session_of_the_same_name_outside_the_block_is_a_conflict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "org.yaml").write_text(ORG)
    config = tmp_path / "aws-config"
    config.write_text("[sso-session example]\nsso_start_url = https://elsewhere.example/start\n")
    argv = [
        "--config",
        str(tmp_path / "org.yaml"),
        "profiles",
        "--user",
        "alice.smith",
        "--write",
        str(config),
    ]
    assert main(argv) == 1
    assert "[sso-session example]" in capsys.readouterr().err
