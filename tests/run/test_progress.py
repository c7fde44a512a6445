"""Progress output: a live table on a terminal, one line per finished account otherwise."""

from __future__ import annotations

import io

from rich.console import Console

from orgtf.run.progress import LineProgress, LiveProgress, progress_for


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_lines_without_a_terminal() -> None:
    stream = io.StringIO()
    with progress_for(["master", "production"], stream) as progress:
        assert isinstance(progress, LineProgress)
        progress.step("production", "plan")
        assert stream.getvalue() == ""  # nothing until an account finishes
        progress.done("production", "+1 ~0 -0")
        progress.done("master", "no changes")
    lines = stream.getvalue().splitlines()
    assert [line.split("  ")[0].strip() for line in lines] == ["production", "master"]
    assert lines[0].startswith("production  +1 ~0 -0 (")
    assert lines[1].startswith("master      no changes (")


def test_live_table_on_a_terminal() -> None:
    stream = Terminal()
    with progress_for(["master", "qa"], stream) as progress:
        assert isinstance(progress, LiveProgress)
        progress.step("qa", "apply")
        progress.done("master", "applied")
    screen = stream.getvalue()
    assert "qa" in screen and "apply..." in screen
    assert "master" in screen and "applied" in screen


def test_live_table_redraws_in_place() -> None:
    console = Console(file=Terminal(), force_terminal=True, width=60)
    with LiveProgress(["dev"], console) as live:
        live.step("dev", "init")
        live.done("dev", "no changes")
    output = console.file.getvalue()  # type: ignore[attr-defined]
    assert "\x1b[" in output  # cursor movement: the table is redrawn, not appended
    assert "no changes" in output


def test_names_and_outcomes_are_terminal_safe_and_never_markup() -> None:
    stream = io.StringIO()
    progress = LineProgress(["dev", "production"], stream)
    progress.done("dev", "failed: \x1b[2J[bold]boom[/bold]\nnext")
    line = stream.getvalue()
    assert line.startswith("dev         failed: ?[2J[bold]boom[/bold] next (")
    assert line.count("\n") == 1 and line.endswith("s)\n")
    console = Console(file=Terminal(), force_terminal=True, width=80)
    with LiveProgress(["dev"], console) as live:
        live.done("dev", "[bold]boom[/bold] \x1b[31m")
    output = console.file.getvalue()  # type: ignore[attr-defined]
    assert "[bold]boom[/bold] ?[31m" in output  # shown as typed, not as rich markup
