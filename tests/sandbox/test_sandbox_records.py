"""The sandbox's own files are read back typed: damage is named with the fix, and
``orgtf sandbox down`` recovers even when the emulator's record is unreadable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from orgtf.cli import main
from orgtf.sandbox import emulator
from orgtf.sandbox.records import FIX
from tests.support.sandbox import running_sandbox, write_org
from tests.support.waiting import process_alive

pytestmark = pytest.mark.sandbox


@pytest.mark.parametrize(
    ("name", "damage"),
    [
        ("emulator.json", '{"pid": 1, "port": "many"'),
        ("sandbox.json", '{"accounts": []}'),
        ("credentials.json", '{"access_key_id": 7}'),
    ],
)
def test_a_damaged_record_is_named_with_its_fix_and_down_recovers(
    name: str, damage: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = write_org(tmp_path)
    config = str(project / "org.yaml")
    with running_sandbox(project) as target:
        record = target.state_dir / name
        assert json.loads(record.read_text())  # a real record before the damage
        record.write_text(damage)
        capsys.readouterr()
        assert main(["--config", config, "sandbox", "status"]) == 1
        err = capsys.readouterr().err
        assert err.startswith(f"orgtf: error: {record}: the ")
        assert "is damaged (" in err and err.rstrip().endswith(FIX)
        assert "Traceback" not in err
        assert process_alive(target.pid)

        assert main(["--config", config, "sandbox", "down"]) == 0
        assert "sandbox stopped" in capsys.readouterr().out
        assert not process_alive(target.pid)
        assert not target.state_dir.exists()
        assert emulator.emulators_of(target.state_dir) == []
