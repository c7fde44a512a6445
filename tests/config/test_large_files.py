"""Large files: a size cap on org.yaml, and work that stays in step with the file's size."""

from __future__ import annotations

from pathlib import Path

import pytest

from orgtf.cli import main
from orgtf.config import load_organization_text
from orgtf.config.source import load_yaml_text
from orgtf.errors import ConfigError
from tests.config.validating import BASE, validate

CAP = "orgtf reads org.yaml files of at most 10 MB (10,000,000 bytes)"


def test_a_file_over_10_mb_is_refused_unread(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "org.yaml"
    with path.open("wb") as file:
        file.truncate(52_428_800)  # sparse: nothing is written, and nothing must be read
    assert main(["--config", str(path), "validate"]) == 3
    assert f"{path}:1:1: error: the file is 52.4 MB (52,428,800 bytes); {CAP}" in (
        capsys.readouterr().err
    )


def test_text_over_10_mb_is_refused() -> None:
    text = BASE + "#" * 10_000_000 + "\n"
    with pytest.raises(ConfigError) as info:
        load_organization_text(text, Path("org.yaml@HEAD"))
    assert [str(p) for p in info.value.problems] == [
        f"org.yaml@HEAD:1:1: error: the file is 10.0 MB (10,000,326 bytes); {CAP}"
    ]


def test_did_you_mean_stops_after_twenty_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    users = "".join(f"  u{i:02d}: {{groups: [devs{i:02d}]}}\n" for i in range(25))
    text = BASE.replace("  alice: {groups: [devs]}\n", users)
    code, errors = validate(tmp_path, text, capsys)
    assert code == 3
    assert errors[0] == "org.yaml:15:18: error: unknown group 'devs00' (did you mean 'devs'?)"
    assert errors[19] == "org.yaml:34:18: error: unknown group 'devs19' (did you mean 'devs'?)"
    assert errors[20:] == [
        f"org.yaml:{35 + i}:18: error: unknown group 'devs{20 + i}'" for i in range(5)
    ]


def test_a_large_merged_mapping_is_read_whole() -> None:
    base = "".join(f"  u{i:05d}: {{}}\n" for i in range(20_000))
    text = f"base: &base\n{base}users:\n  <<: *base\n  u00001: {{path: /b/}}\n"
    data, _ = load_yaml_text(text, "org.yaml")
    assert len(data["users"]) == 20_000
    assert data["users"]["u00001"] == {"path": "/b/"}  # the explicit key wins
