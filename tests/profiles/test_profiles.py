"""`orgtf profiles`: AWS config profiles per user, and their byte-safe merge into ~/.aws/config."""

from __future__ import annotations

import configparser
import os
import shutil
import stat
from pathlib import Path
from typing import Any

import pytest
import yaml
from botocore.configloader import load_config

from orgtf.cli import main

EXAMPLE = Path(__file__).parents[2] / "org.yaml"
ALICE = [
    "development-alfiefullaccess",
    "production-alfiereadonly",
    "qa-alfiedeployment",
    "sandbox-sandboxuser",
]

# A config file as people really have them: comments, sso-session and services sections,
# a profile sharing a prefix with a generated one, odd spacing, no newline at the end.
EXISTING = (
    b"# my AWS config; keep these notes (caf\xc3\xa9)\n"
    b"[default]\n"
    b"region = eu-west-1\n"
    b"output=json\n"
    b"\n"
    b"[sso-session corp]\n"
    b"sso_start_url = https://corp.awsapps.com/start\n"
    b"sso_region = eu-west-1\n"
    b"sso_registration_scopes = sso:account:access\n"
    b"\n"
    b"; older role, not managed by orgtf\n"
    b"[profile production-alfiereadonly-old]\n"
    b"role_arn = arn:aws:iam::123456789012:role/AlfieReadOnlyOld\n"
    b"source_profile = default\n"
    b"\n"
    b"[services local]\n"
    b"s3 =\n"
    b"  endpoint_url = http://localhost:4566\n"
    b"\n"
    b"[profile   sso-dev ]\n"
    b"sso_session = corp\n"
    b"sso_account_id = 345678901234\n"
    b"sso_role_name = Developer\n"
    b"  # indented comment\n"
    b"region = eu-west-1"
)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    target = tmp_path / "org.yaml"
    shutil.copyfile(EXAMPLE, target)
    return target


def run(capsys: pytest.CaptureFixture[str], config: Path, *argv: str) -> tuple[int, str, str]:
    code = main(["--config", str(config), "profiles", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def parse_ini(text: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(text)
    return parser


def test_profiles_for_alice(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, config, "--user", "alice")
    assert code == 0
    ini = parse_ini(out)
    assert ini.sections() == [f"profile {name}" for name in ALICE]
    assert dict(ini["profile production-alfiereadonly"]) == {
        "role_arn": "arn:aws:iam::123456789012:role/AlfieReadOnly",
        "source_profile": "default",
        "mfa_serial": "arn:aws:iam::012345678901:mfa/alice",
        "role_session_name": "alice",
        "region": "us-east-1",
    }
    assert dict(ini["profile qa-alfiedeployment"]) == {
        "role_arn": "arn:aws:iam::234567890123:role/AlfieDeployment",
        "source_profile": "default",
        "duration_seconds": "7200",
        "role_session_name": "alice",
        "region": "us-east-1",
    }
    for plain in ("profile development-alfiefullaccess", "profile sandbox-sandboxuser"):
        assert "mfa_serial" not in ini[plain] and "duration_seconds" not in ini[plain]
    assert out.startswith("# BEGIN orgtf managed profiles (organization example, user alice)")
    assert out.endswith("# END orgtf managed profiles (organization example)\n")


def test_source_profile_and_name_template(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        config,
        "--user",
        "carol",
        "--source-profile",
        "corp-master",
        "--name-template",
        "{user}@{account}.{role}.{account_id}",
    )
    assert code == 0
    ini = parse_ini(out)
    assert ini.sections() == [
        "profile carol@production.FooMonitoring.123456789012",
        "profile carol@production.RdsOperator.123456789012",
        "profile carol@sandbox.SandboxUser.456789012345",
    ]
    assert {ini[s]["source_profile"] for s in ini.sections()} == {"corp-master"}
    rds = ini["profile carol@production.RdsOperator.123456789012"]
    assert rds["mfa_serial"] == "arn:aws:iam::012345678901:mfa/carol"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--user", "alise"], "unknown user 'alise'"),
        (["--name-template", "{acount}-{role}"], "unknown field {acount}"),
        (["--name-template", "{account"], "invalid --name-template '{account'"),
        (["--name-template", "{account.id}"], "unknown field {account.id}"),
        (["--name-template", "{user.__class__}"], "unknown field {user.__class__}"),
        (["--name-template", "{role[0]}"], "unknown field {role[0]}"),
        (["--name-template", "{role:d}"], "format specs (:) are not supported; write {role}"),
        (["--name-template", "{role:{user.__class__}}"], "format specs (:) are not supported"),
        (["--name-template", "{account}-{role:>40}"], "format specs (:) are not supported"),
        (["--name-template", "{role!r}"], "conversions (!) and format specs (:) are not"),
        (["--name-template", "{account} {role}"], "is not a valid profile name"),
        (["--name-template", "{account}"], "'production' is generated for both"),
        (["--name-template", "default"], "is not a valid profile name"),
        (["--source-profile", "my profile"], "--source-profile 'my profile' is not a valid"),
        (["--format", "extend-switch-roles", "--write", "x"], "--write works only with"),
        ([], "the following arguments are required: --user"),
    ],
)
def test_usage_errors(
    config: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    if argv and argv[0] != "--user":
        argv = ["--user", "carol", *argv]
    code, out, err = run(capsys, config, *argv)
    assert code == 4
    assert out == ""
    assert message in err
    assert "Traceback" not in err
    assert not (config.parent / "x").exists()


def test_extend_switch_roles(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, config, "--user", "alice", "--format", "extend-switch-roles")
    assert code == 0
    ini = parse_ini(out)
    assert ini.sections() == ALICE
    assert dict(ini["production-alfiereadonly"]) == {
        "aws_account_id": "123456789012",
        "role_name": "AlfieReadOnly",
        "region": "us-east-1",
        "color": "d13212",
    }
    assert "color" not in ini["qa-alfiedeployment"]
    assert out.startswith("; AWS Extend Switch Roles")


def test_role_with_a_path(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = yaml.safe_load(config.read_text())
    data["roles"]["SandboxUser"]["path"] = "/teams/alfie/"
    config.write_text(yaml.safe_dump(data))
    _, out, _ = run(capsys, config, "--user", "alice")
    arn = parse_ini(out)["profile sandbox-sandboxuser"]["role_arn"]
    assert arn == "arn:aws:iam::456789012345:role/teams/alfie/SandboxUser"
    _, out, _ = run(capsys, config, "--user", "alice", "--format", "extend-switch-roles")
    assert parse_ini(out)["sandbox-sandboxuser"]["role_name"] == "teams/alfie/SandboxUser"


# --- --write --------------------------------------------------------------------------------


def write(capsys: pytest.CaptureFixture[str], config: Path, target: Path, user: str) -> str:
    code, out, err = run(capsys, config, "--user", user, "--write", str(target))
    assert code == 0, err
    return out


def profiles_in(path: Path) -> dict[str, Any]:
    """The profiles as the AWS CLI reads the file."""
    profiles: dict[str, Any] = load_config(str(path))["profiles"]
    return profiles


def test_merge_keeps_everything_else(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "aws" / "config"
    target.parent.mkdir()
    target.write_bytes(EXISTING)
    target.chmod(0o640)
    out = write(capsys, config, target, "alice")
    assert out.startswith(f"updated {target} with 4 profiles for alice")
    merged = target.read_bytes()
    assert merged.startswith(EXISTING + b"\n\n# BEGIN orgtf managed profiles")
    backup = target.with_name("config.orgtf-backup")
    assert backup.read_bytes() == EXISTING
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert stat.S_IMODE(backup.stat().st_mode) == 0o640
    profiles = profiles_in(target)
    assert profiles["production-alfiereadonly-old"]["role_arn"].endswith("/AlfieReadOnlyOld")
    assert profiles["sso-dev"]["sso_session"] == "corp"
    assert profiles["production-alfiereadonly"]["mfa_serial"].endswith(":mfa/alice")
    assert set(ALICE) <= set(profiles)
    assert sorted(p.name for p in target.parent.iterdir()) == ["config", "config.orgtf-backup"]


def test_second_run_changes_nothing(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "config"
    target.write_bytes(EXISTING)
    write(capsys, config, target, "alice")
    first = target.read_bytes()
    target.with_name("config.orgtf-backup").unlink()
    out = write(capsys, config, target, "alice")
    assert out.startswith(f"{target} is up to date (4 profiles for alice); nothing written")
    assert target.read_bytes() == first
    assert not target.with_name("config.orgtf-backup").exists()


def test_block_in_the_middle_is_replaced_in_place(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "config"
    target.write_bytes(b"[default]\nregion = eu-west-1\n\n")
    write(capsys, config, target, "alice")
    after = b"\n# added later by hand\n[profile mine]\nregion = eu-central-1\n"
    target.write_bytes(target.read_bytes() + after)
    before_block, rest = target.read_bytes().split(b"# BEGIN", 1)
    write(capsys, config, target, "bob")
    merged = target.read_bytes()
    assert merged.startswith(
        before_block + b"# BEGIN orgtf managed profiles (organization example, user bob)"
    )
    assert merged.endswith(b"# END orgtf managed profiles (organization example)\n" + after)
    assert target.with_name("config.orgtf-backup").read_bytes() == before_block + b"# BEGIN" + rest
    profiles = profiles_in(target)
    assert "sandbox-sandboxuser" not in profiles  # alice's, gone: bob may not assume it
    assert profiles["qa-alfiedeployment"]["role_session_name"] == "bob"
    assert profiles["mine"] == {"region": "eu-central-1"}


def test_crlf_file_keeps_its_bytes(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    original = EXISTING.replace(b"\n", b"\r\n") + b"\r\n"
    target = tmp_path / "config"
    target.write_bytes(original)
    write(capsys, config, target, "alice")
    merged = target.read_bytes()
    assert merged.startswith(original + b"\r\n# BEGIN")
    assert b"\n" not in merged.replace(b"\r\n", b"")
    write(capsys, config, target, "alice")
    assert target.read_bytes() == merged


def test_conflicting_user_profile_writes_nothing(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "config"
    original = (
        EXISTING + b"\n\n[profile qa-alfiedeployment]\nregion = x\n[profile sandbox-sandboxuser]\n"
    )
    target.write_bytes(original)
    code, out, err = run(capsys, config, "--user", "alice", "--write", str(target))
    assert code == 1
    assert out == ""
    assert "nothing written" in err
    assert f"{target}:27: [profile qa-alfiedeployment]" in err
    assert f"{target}:29: [profile sandbox-sandboxuser]" in err
    assert target.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config", "org.yaml"]


def test_missing_file_is_created_private(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "home" / ".aws" / "config"
    out = write(capsys, config, target, "carol")
    assert out.startswith(f"created {target} with 3 profiles for carol")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert stat.S_IMODE(target.parent.stat().st_mode) == 0o700
    assert set(profiles_in(target)) == {
        "production-foomonitoring",
        "production-rdsoperator",
        "sandbox-sandboxuser",
    }
    assert not target.with_name("config.orgtf-backup").exists()


def test_symlinked_config_updates_its_target(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    real = tmp_path / "dotfiles" / "aws-config"
    real.parent.mkdir()
    real.write_bytes(b"[default]\nregion = eu-west-1\n")
    link = tmp_path / "config"
    link.symlink_to(real)
    out = write(capsys, config, link, "bob")
    assert link.is_symlink()
    assert b"[profile qa-alfiedeployment]" in real.read_bytes()
    # The backup sits beside the target (docs/profiles.md), and the message says where.
    backup = real.with_name("aws-config.orgtf-backup")
    assert backup.read_bytes() == b"[default]\nregion = eu-west-1\n"
    assert not link.with_name("config.orgtf-backup").exists()
    assert f"(previous file kept as {backup})" in out


def test_blocks_of_other_organizations_are_kept(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = (
        b"# BEGIN orgtf managed profiles (organization acme, user alice) -- do not edit\n"
        b"[profile acme-admin]\nrole_arn = arn:aws:iam::999999999999:role/Admin\n"
        b"# END orgtf managed profiles (organization acme)\n"
    )
    target = tmp_path / "config"
    target.write_bytes(other)
    write(capsys, config, target, "alice")
    assert target.read_bytes().startswith(
        other + b"\n# BEGIN orgtf managed profiles (organization example"
    )
    assert "acme-admin" in profiles_in(target)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b"[default]\n# BEGIN orgtf managed profiles (organization example, user a)\n",
            "without an END",
        ),
        (b"# END orgtf managed profiles (organization example)\n", "END marker without a BEGIN"),
    ],
)
def test_broken_markers_write_nothing(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, message: str
) -> None:
    target = tmp_path / "config"
    target.write_bytes(content)
    code, _, err = run(capsys, config, "--user", "alice", "--write", str(target))
    assert code == 1
    assert message in err
    assert target.read_bytes() == content
    assert not target.with_name("config.orgtf-backup").exists()


def test_bytes_that_are_not_utf8_are_kept(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    original = b"# latin-1 caf\xe9\n[default]\nregion = eu-west-1\n"
    target = tmp_path / "config"
    target.write_bytes(original)
    write(capsys, config, target, "bob")
    assert target.read_bytes().startswith(original + b"\n# BEGIN")


def test_write_expands_home(
    config: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    write(capsys, config, Path("~/.aws/config"), "bob")
    assert (tmp_path / ".aws" / "config").is_file()
    assert os.access(tmp_path / ".aws" / "config", os.R_OK)


def test_mfa_serial_follows_the_accounts_require_mfa(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The sandbox account requires MFA of its roles; the development one too, but
    # AlfieFullAccess opts out there. Nothing else changes.
    data = yaml.safe_load(config.read_text())
    data["accounts"]["sandbox"]["require_mfa"] = True
    data["accounts"]["development"]["require_mfa"] = True
    data["roles"]["AlfieFullAccess"]["require_mfa"] = False
    config.write_text(yaml.safe_dump(data, sort_keys=False))
    code, out, _ = run(capsys, config, "--user", "alice")
    assert code == 0
    ini = parse_ini(out)
    serials = {name: ini[f"profile {name}"].get("mfa_serial") for name in ALICE}
    assert serials == {
        "development-alfiefullaccess": None,
        "production-alfiereadonly": "arn:aws:iam::012345678901:mfa/alice",
        "qa-alfiedeployment": None,
        "sandbox-sandboxuser": "arn:aws:iam::012345678901:mfa/alice",
    }
