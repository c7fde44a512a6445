"""The first hour: ``orgtf init`` and finding org.yaml the way git finds its repository."""

from __future__ import annotations

from pathlib import Path

import pytest

from orgtf.cli import main


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("ORGTF_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_init_writes_a_valid_starter_and_the_ignore_lines(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (here / ".gitignore").write_text("node_modules/\n.orgtf/")
    assert main(["init"]) == 0
    out = capsys.readouterr().out
    assert "wrote org.yaml: a master account, one child account, one role, group and user" in out
    assert main(["validate"]) == 0
    assert capsys.readouterr().out == (
        "org.yaml: valid: organization 'my-org', 2 accounts, 1 role, 1 group, 1 user\n"
    )
    ignore = (here / ".gitignore").read_text()
    assert ignore.startswith("node_modules/\n.orgtf/\n\n# orgtf:")  # kept, then added
    assert ignore.count(".orgtf/") == 1 and "environments/.terraform*\n" in ignore
    assert "# " in (here / "org.yaml").read_text()  # commented for a first reader


def test_init_never_overwrites(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (here / "org.yaml").write_text("mine\n")
    assert main(["init"]) == 4
    assert "org.yaml already exists; orgtf init never overwrites it" in capsys.readouterr().err
    assert (here / "org.yaml").read_text() == "mine\n"
    assert not (here / ".gitignore").exists()


def test_init_writes_where_config_names(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = here / "infra" / "org.yaml"
    assert main(["init", "--config", str(target)]) == 0
    assert target.is_file() and (here / "infra" / ".gitignore").is_file()
    assert main(["validate", "--config", str(target)]) == 0


def test_commands_find_org_yaml_in_a_parent_directory(
    here: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["init"]) == 0
    deeper = here / "environments" / "dev"
    deeper.mkdir(parents=True)
    monkeypatch.chdir(deeper)
    capsys.readouterr()
    assert main(["validate"]) == 0
    assert capsys.readouterr().out.startswith(f"{here / 'org.yaml'}: valid:")
    # init in a subdirectory starts a new project there, as `git init` would.
    assert main(["init"]) == 0
    assert (deeper / "org.yaml").is_file()


def test_no_org_yaml_says_where_it_looked_and_what_to_do(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate"]) == 4
    err = capsys.readouterr().err
    assert err.startswith(f"orgtf: error: no org.yaml in {here} or any directory above it")
    assert "pass --config PATH, set ORGTF_CONFIG, or create one here with `orgtf init`" in err
    assert main(["--config", "elsewhere.yaml", "plan"]) == 4
    err = capsys.readouterr().err
    assert "elsewhere.yaml: no such file" in err
    assert "`orgtf init --config elsewhere.yaml`" in err
