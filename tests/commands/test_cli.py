"""The CLI contract: global options, exit codes, and running as a user would."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from orgtf import __version__
from orgtf.cli import main

ROOT = Path(__file__).parents[2]


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"orgtf {__version__}"


@pytest.mark.parametrize("argv", [["bogus"], ["validate", "--nope"], []])
def test_usage_errors_exit_4(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 4
    err = capsys.readouterr().err
    assert err.startswith("orgtf: error: ")
    assert "usage: orgtf" in err


def test_config_from_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "elsewhere.yaml"
    target.write_text((ROOT / "org.yaml").read_text())
    monkeypatch.setenv("ORGTF_CONFIG", str(target))
    monkeypatch.chdir(tmp_path)
    assert main(["validate"]) == 0
    assert str(target) in capsys.readouterr().out


def test_default_config_is_org_yaml_in_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("ORGTF_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    assert main(["validate"]) == 3
    assert "org.yaml:1:1: error: file not found" in capsys.readouterr().err


def test_python_dash_m_runs_the_cli(tmp_path: Path) -> None:
    bad = tmp_path / "org.yaml"
    bad.write_text("organization: {name: x}\n")
    proc = subprocess.run(
        [sys.executable, "-m", "orgtf", "--config", str(bad), "validate"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 3
    assert "Traceback" not in proc.stderr
    assert f"{bad}:1:1: error: missing required key 'accounts'" in proc.stderr


def test_schema_describes_the_example(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    jsonschema.validate(yaml.safe_load((ROOT / "org.yaml").read_text()), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(
            {"organization": {"name": "x", "master_account": "m"}, "acounts": {}}, schema
        )
    assert set(schema["properties"]) >= {"organization", "accounts", "roles", "groups", "users"}
