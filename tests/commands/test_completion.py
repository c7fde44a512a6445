"""``orgtf completion``: scripts that a real shell loads and that complete commands and options."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from orgtf.cli import main


def _script(shell: str, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["completion", shell]) == 0
    return capsys.readouterr().out


def _bash_complete(script: Path, words: list[str]) -> list[str]:
    """What bash offers for the last of ``words`` after sourcing ``script``."""
    quoted = " ".join(f"'{w}'" for w in words)
    program = (
        f"source '{script}'; COMP_WORDS=({quoted}); COMP_CWORD={len(words) - 1}; "
        'COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}; _shtab_orgtf; '
        'printf "%s\\n" "${COMPREPLY[@]}"'
    )
    done = subprocess.run(["bash", "-c", program], capture_output=True, text=True, check=True)
    return done.stdout.split()


@pytest.mark.parametrize(
    ("words", "offered"),
    [
        (["orgtf", "val"], ["validate"]),
        (["orgtf", "sandbox", "st"], ["status"]),
        (["orgtf", "access", "d"], ["diff"]),
        (["orgtf", "plan", "--format", ""], ["text", "json", "markdown"]),
        (["orgtf", "apply", "--fo"], ["--format"]),
        (["orgtf", "catalog", "--sand"], ["--sandbox"]),
    ],
)
def test_bash_completes_commands_actions_and_choices(
    words: list[str], offered: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "orgtf.bash"
    script.write_text(_script("bash", capsys))
    assert _bash_complete(script, words) == offered


def test_bash_completes_file_names_for_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    script = tmp_path / "orgtf.bash"
    script.write_text(_script("bash", capsys))
    (tmp_path / "org-prod.yaml").write_text("")
    monkeypatch.chdir(tmp_path)
    assert _bash_complete(script, ["orgtf", "validate", "--config", "org-"]) == ["org-prod.yaml"]


@pytest.mark.parametrize("shell", ["zsh", "tcsh"])
def test_other_shells_get_a_script_naming_every_command(
    shell: str, capsys: pytest.CaptureFixture[str]
) -> None:
    script = _script(shell, capsys)
    for command in ("validate", "plan", "apply", "catalog", "sandbox", "completion"):
        assert command in script


def test_unknown_shell_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["completion", "cmd.exe"]) == 4
    assert "invalid choice: 'cmd.exe'" in capsys.readouterr().err
