"""Running ``orgtf validate`` as a user would, for the config tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from orgtf.cli import main

BASE = """\
organization:
  name: example
  master_account: master
accounts:
  master: {id: "012345678901"}
  production: {id: "123456789012"}
roles:
  ReadOnly:
    accounts: [production]
    managed_policy_arns: [arn:aws:iam::aws:policy/ReadOnlyAccess]
groups:
  devs:
    roles: [production/ReadOnly]
users:
  alice: {groups: [devs]}
"""


def validate(
    tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str]
) -> tuple[int, list[str]]:
    """The exit code of ``orgtf --config org.yaml validate`` and its error lines.

    Each error line is cut down to start at the file's name: ``org.yaml:LINE:COL: error: ...``.
    """
    path = tmp_path / "org.yaml"
    path.write_text(text, encoding="utf-8")
    code = main(["--config", str(path), "validate"])
    captured = capsys.readouterr()
    lines = (captured.out + captured.err).splitlines()
    return code, [line[line.index("org.yaml:") :] for line in lines if ": error: " in line]
