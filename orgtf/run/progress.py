"""Progress of per-account runs: a live table on a terminal, one line per account otherwise.

Workers call these methods from their threads; Terraform's own output never reaches the
screen (it goes to the per-account logs), so lines are never interleaved. Account names and
outcomes are shown terminal-safe, and never read as rich markup.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Protocol, TextIO

from rich.console import Console
from rich.live import Live
from rich.table import Table
from rich.text import Text

from orgtf.text import elapsed, terminal_safe, text_table


class Progress(Protocol):
    """What the engine reports while it runs accounts."""

    def step(self, account: str, state: str) -> None:
        """``account`` entered ``state`` (e.g. "init", "plan", "apply")."""

    def done(self, account: str, outcome: str) -> None:
        """``account`` finished with a one-line ``outcome``."""


@dataclass
class _Row:
    state: str = "waiting"
    started: float | None = None
    ended: float | None = None
    outcome: str = ""

    def elapsed(self, now: float) -> str:
        return "" if self.started is None else elapsed((self.ended or now) - self.started)


@dataclass
class _Board:
    rows: dict[str, _Row]
    lock: threading.Lock = field(default_factory=threading.Lock)

    def step(self, account: str, state: str) -> None:
        with self.lock:
            row = self.rows[account]
            row.started = row.started or time.monotonic()
            row.state = state

    def done(self, account: str, outcome: str) -> _Row:
        with self.lock:
            row = self.rows[account]
            row.started = row.started or time.monotonic()
            row.ended = time.monotonic()
            row.state, row.outcome = "done", outcome
            return row


class LineProgress:
    """One line per finished account, for logs and CI."""

    def __init__(self, accounts: Sequence[str], stream: TextIO) -> None:
        self._board = _Board({a: _Row() for a in accounts})
        self._stream = stream
        self._width = max((len(a) for a in accounts), default=0)

    def step(self, account: str, state: str) -> None:
        self._board.step(account, state)

    def done(self, account: str, outcome: str) -> None:
        row = self._board.done(account, outcome)
        with self._board.lock:
            cells = [account, f"{outcome} ({row.elapsed(time.monotonic())})"]
            (line,) = text_table([cells], widths=[self._width])
            print(line, file=self._stream, flush=True)


class LiveProgress:
    """A table redrawn in place: one line per account with its state and elapsed time."""

    def __init__(self, accounts: Sequence[str], console: Console) -> None:
        self._board = _Board({a: _Row() for a in accounts})
        self._live = Live(console=console, refresh_per_second=8, get_renderable=self._table)

    def _table(self) -> Table:
        table = Table(box=None, show_header=False, pad_edge=False)
        table.add_column()
        table.add_column()
        table.add_column(justify="right")
        now = time.monotonic()
        with self._board.lock:
            for account, row in self._board.rows.items():
                state = row.outcome if row.state == "done" else f"{row.state}..."
                table.add_row(*(Text(terminal_safe(c)) for c in (account, state, row.elapsed(now))))
        return table

    def step(self, account: str, state: str) -> None:
        self._board.step(account, state)

    def done(self, account: str, outcome: str) -> None:
        self._board.done(account, outcome)

    def __enter__(self) -> LiveProgress:
        self._live.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._live.stop()


@contextmanager
def progress_for(accounts: Sequence[str], stream: TextIO | None = None) -> Iterator[Progress]:
    """A live display when ``stream`` (default stderr) is a terminal, else plain lines."""
    out = stream or sys.stderr
    if out.isatty():
        with LiveProgress(accounts, Console(file=out)) as live:
            yield live
    else:
        yield LineProgress(accounts, out)
