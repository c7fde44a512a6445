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
    assert main(["validate"]) == 4  # no org.yaml: a usage error, not an invalid file
    assert "orgtf: error: no org.yaml in " in capsys.readouterr().err


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


@pytest.mark.parametrize(
    ("argv", "hint"),
    [
        (["valdate"], "unknown command 'valdate' (did you mean 'validate'?)"),
        (["sandbox", "stats"], "unknown action 'stats' (did you mean 'status'?)"),
        (["access", "dif", "--base", "x"], "unknown action 'dif' (did you mean 'diff'?)"),
        (["xyzzy"], "unknown command 'xyzzy' (choose from access, adopt, affected, apply,"),
    ],
)
def test_mistyped_command_gets_a_hint(
    argv: list[str], hint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 4
    err = capsys.readouterr().err
    assert err.startswith(f"orgtf: error: {hint}")
    assert "Traceback" not in err


def _example_copy(tmp_path: Path) -> Path:
    config = tmp_path / "elsewhere.yaml"
    config.write_text((ROOT / "org.yaml").read_text())
    return config


@pytest.mark.parametrize(
    "order",
    [
        ["--config", "{config}", "validate"],
        ["validate", "--config", "{config}"],
        ["validate", "--format", "text", "--config={config}"],
    ],
)
def test_global_options_before_or_after_the_command(
    order: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _example_copy(tmp_path)
    argv = [arg.format(config=config) for arg in order]
    assert main(argv) == 0
    assert capsys.readouterr().out.startswith(
        f"{config}: valid: organization 'example', 5 accounts"
    )


def test_global_option_after_a_sub_action_keeps_the_one_before(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _example_copy(tmp_path)
    base = tmp_path / "base.yaml"
    base.write_text(config.read_text())
    for argv in (
        ["--config", str(config), "access", "diff", "--base", str(base)],
        ["access", "diff", "--base", str(base), "--config", str(config)],
        ["access", "--config", str(config), "diff", "--base", str(base)],
        [
            "--config",
            "missing.yaml",
            "access",
            "diff",
            "--config",
            str(config),
            "--base",
            str(base),
        ],
    ):
        assert main(argv) == 0
        assert capsys.readouterr().out == f"No changes between {base} and {config}.\n"


def test_sandbox_option_after_the_command_reaches_the_handler(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # `sandbox env` needs the sandbox option to be irrelevant; `plan --sandbox` with an
    # invalid org.yaml fails on the config before any sandbox starts, so the option parses.
    monkeypatch.delenv("ORGTF_SANDBOX", raising=False)
    bad = tmp_path / "org.yaml"
    bad.write_text("organization: {name: x}\n")
    assert main(["plan", "--sandbox", "--format", "json", "--config", str(bad)]) == 3
    assert f"{bad}:1:1: error: missing required key 'accounts'" in capsys.readouterr().err


def test_validate_json_when_valid(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = _example_copy(tmp_path)
    assert main(["validate", "--format", "json", "--config", str(config)]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document == {
        "config": str(config),
        "valid": True,
        "findings": [],
        "summary": {
            "organization": "example",
            "accounts": 5,
            "roles": 6,
            "groups": 3,
            "users": 3,
        },
    }


def test_validate_json_lists_every_finding_with_its_position(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "org.yaml"
    bad.write_text("organization:\n  name: x\n  colour: blue\n")
    assert main(["validate", "--format", "json", "--config", str(bad)]) == 3
    captured = capsys.readouterr()
    document = json.loads(captured.out)
    assert document["valid"] is False
    assert document["summary"] is None
    findings = document["findings"]
    assert {"file", "line", "column", "severity", "message"} == set(findings[0])
    assert all(f["file"] == str(bad) and f["severity"] == "error" for f in findings)
    unknown = [f for f in findings if "colour" in f["message"]]
    assert unknown and (unknown[0]["line"], unknown[0]["column"]) == (3, 3)
    assert any("missing required key 'accounts'" in f["message"] for f in findings)
    assert captured.err == ""
