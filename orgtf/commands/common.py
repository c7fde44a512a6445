"""Argument types and output helpers that several commands share, so they behave alike."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from orgtf.errors import OrgtfError
from orgtf.render.sync import StaleFile
from orgtf.text import plural


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1 (e.g. ``--parallelism``)."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return value


_UNITS = {"s": 1, "m": 60, "h": 3600}


def duration(text: str) -> float:
    """An argparse type: seconds, written ``90``, ``30s``, ``5m`` or ``1h`` (``--lock-timeout``)."""
    number, unit = (text[:-1], text[-1]) if text[-1:] in _UNITS else (text, "s")
    try:
        value = float(number) * _UNITS[unit]
    except ValueError:
        value = -1.0
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a duration such as 30s, 5m or 1h, got {text!r}")
    return value


def write_output(text: str, path: Path | None, what: str) -> None:
    """Print ``text`` to stdout, or write it to ``path`` (creating its directory) when given.

    ``text`` always ends with a newline. ``what`` names the output in the error raised when
    ``path`` cannot be written, e.g. ``cannot write the catalog to FILE: reason``.
    """
    text = text if text.endswith("\n") else text + "\n"
    if path is None:
        sys.stdout.write(text)
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise OrgtfError(f"cannot write {what} to {path}: {exc.strerror or exc}") from exc


def warn_foreign(foreign: tuple[StaleFile, ...]) -> None:
    """Warn about files render leaves alone but Terraform would read: --check fails until
    they go."""
    for item in foreign:
        print(f"warning: {item}", file=sys.stderr)
    if foreign:
        print(
            f"warning: {plural(len(foreign), 'Terraform file')} that orgtf did not render left "
            "in place; `orgtf render --check` fails until they are removed",
            file=sys.stderr,
        )
