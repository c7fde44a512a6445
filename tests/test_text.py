"""The one text layer: counts, durations, tables and one escaping policy for terminals and
markdown, checked with hostile input."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from orgtf.cli import main
from orgtf.text import (
    change_counts,
    code_fence,
    count_cells,
    duration,
    elapsed,
    md_code,
    md_escape,
    md_row,
    md_table,
    terminal_lines,
    terminal_safe,
    text_table,
)

# Everything a description, a name or a Terraform message could use against a reader.
HOSTILE = "a|b\nc <script>alert(1)</script> \x1b[31mred\x1b[0m `code` **bold** [x](y) &amp;"
CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def test_change_counts() -> None:
    assert change_counts(1, 0, 2) == "+1 ~0 -2"
    assert count_cells(3, 4, 5) == ("+3", "~4", "-5")


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (3600, "1h"),
        (5400, "1h30m"),
        (7200, "2h"),
        (43200, "12h"),
        (3660, "1h01m"),
        (3601, "1h00m01s"),
    ],
)
def test_duration(seconds: int, text: str) -> None:
    assert duration(seconds) == text


def test_elapsed() -> None:
    assert elapsed(1.44) == "1.4s"
    assert elapsed(0) == "0.0s"


def test_terminal_safe_keeps_one_line_and_no_control_character() -> None:
    safe = terminal_safe(HOSTILE)
    assert not CONTROLS.search(safe)
    assert "\n" not in safe and "?[31mred?[0m" in safe
    assert "a|b c <script>" in safe  # nothing else changes: a terminal shows it as it is
    assert terminal_safe("a\r\nb\tc\u202ed\x85e") == "a b c?d e"
    assert terminal_safe(safe) == safe


def test_terminal_lines_keeps_lines_but_no_control_character() -> None:
    assert terminal_lines("one\x1b[2J\ntwo\tthree\r\n") == "one?[2J\ntwo three \n"


def test_error_messages_reach_the_terminal_without_escape_sequences(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hostile = tmp_path / "org\x1b]0;owned\x07.yaml"
    assert main(["--config", str(hostile), "validate"]) == 4
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\x07" not in err
    assert "org?]0;owned?.yaml: no such file" in err


def test_text_table_aligns_and_is_terminal_safe() -> None:
    lines = text_table([["NAME", "N"], ["a\x1b[2Jb", "10"], ["long-name", "7"]], right=(1,))
    assert lines == ["NAME        N", "a?[2Jb     10", "long-name   7"]
    assert text_table([["x", "y"]], widths=[4]) == ["x     y"]
    assert text_table([]) == []


def test_md_escape_neutralises_tables_html_formatting_and_controls() -> None:
    escaped = md_escape(HOSTILE)
    assert not CONTROLS.search(escaped)
    for raw in ("|", "<", ">", "`", "*", "[", "]", "\n"):
        assert raw not in escaped
    assert escaped.startswith("a&#124;b c &#60;script&#62;alert(1)&#60;/script&#62; ?&#91;31mred")
    assert "&#38;amp;" in escaped  # an entity in the input shows as typed, not as "&"
    # Readable text is left alone; non-ASCII letters and symbols carry no markdown meaning.
    assert md_escape("Read-only access, 1h (prod/Admin) @ops: ok? 100%") == (
        "Read-only access, 1h (prod/Admin) @ops: ok? 100%"
    )
    assert md_escape("Zugriff für Ärzte → nur lesen") == "Zugriff für Ärzte → nur lesen"
    assert md_escape("a_b #1 +x ~y $z$ !") == "a&#95;b &#35;1 &#43;x &#126;y &#36;z&#36; &#33;"


def test_md_code_falls_back_to_escaped_text() -> None:
    assert md_code("arn:aws:iam::123456789012:role/team/Admin") == (
        "`arn:aws:iam::123456789012:role/team/Admin`"
    )
    assert md_code("a<b>") == "`a<b>`"  # literal inside a code span
    for unsafe in ("a`b", "a|b", "a\\b", "a\nb", "a\x1b[31m"):
        assert md_code(unsafe) == md_escape(unsafe)
    assert md_code("") == ""


def test_md_table_keeps_every_row_to_its_cells() -> None:
    rows = [[md_escape(HOSTILE), md_code("a|b"), ""], ["1", "2", "3"]]
    lines = md_table(["A", "B", "C"], rows, right=(2,))
    assert lines[:2] == ["| A | B | C |", "| --- | --- | ---: |"]
    assert lines[3] == "| 1 | 2 | 3 |"
    assert all(line.count("|") == 4 for line in lines)
    assert md_row(["x", "", "y"]) == "| x | | y |"


def test_code_fence_outlasts_backticks_in_the_block() -> None:
    assert code_fence(["plain"]) == "```"
    assert code_fence(["a ``` b", "````"]) == "`````"
