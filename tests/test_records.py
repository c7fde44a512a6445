"""The JSON records orgtf keeps are read back typed; a damaged one names itself and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from orgtf.files import DamagedFileError, Record, read_record


class Sample(Record):
    name: str
    count: int


def _read(path: Path) -> Sample | None:
    return read_record(path, Sample, "the sample record", "remove it and try again")


def test_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "sample.json"
    path.write_text(Sample(name="a", count=2).to_json())
    assert _read(path) == Sample(name="a", count=2)


def test_absent_is_none(tmp_path: Path) -> None:
    assert _read(tmp_path / "missing.json") is None


@pytest.mark.parametrize(
    ("content", "detail"),
    [
        ("", "Invalid JSON"),
        ('{"name": "a", "count": 2', "Invalid JSON"),
        ('{"name": "a"}', "count: Field required"),
        ('{"name": "a", "count": "many"}', "count: Input should be a valid integer"),
        ('{"name": "a", "count": 1, "extra": true}', "extra: Extra inputs are not permitted"),
        ("[1, 2]", "Input should be an object"),
    ],
)
def test_damaged_record_names_file_problem_and_fix(
    tmp_path: Path, content: str, detail: str
) -> None:
    path = tmp_path / "sample.json"
    path.write_text(content)
    with pytest.raises(DamagedFileError) as caught:
        _read(path)
    message = caught.value.message
    assert message.startswith(f"{path}: the sample record is damaged (")
    assert detail in message
    assert message.endswith("); remove it and try again")


def test_a_directory_in_its_place_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "sample.json").mkdir()
    with pytest.raises(DamagedFileError, match="cannot read the sample record"):
        _read(tmp_path / "sample.json")
