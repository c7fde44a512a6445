"""The errors users see, each with the exit code it maps to.

Core code raises these; only ``orgtf.cli`` turns them into messages and exit codes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Literal

Severity = Literal["error", "warning"]


class ExitCode(IntEnum):
    """Documented process exit codes (docs/cli.md)."""

    OK = 0
    FAILURE = 1
    CHANGES = 2
    INVALID_CONFIG = 3
    USAGE = 4
    INTERRUPTED = 130


class OrgtfError(Exception):
    """A failure explained to the user; ``exit_code`` says how the process ends."""

    exit_code: ExitCode = ExitCode.FAILURE

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def render(self) -> str:
        """The text printed to stderr for this error."""
        return f"orgtf: error: {self.message}"


class UsageError(OrgtfError):
    """Wrong flags or arguments, or a confirmation that cannot be asked for."""

    exit_code = ExitCode.USAGE


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in a config file, at a position (1-based line and column)."""

    path: str
    line: int
    column: int
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.severity}: {self.message}"

    def as_json(self) -> dict[str, str | int]:
        """The problem as the JSON finding ``validate --format json`` prints."""
        return {
            "file": self.path,
            "line": self.line,
            "column": self.column,
            "severity": self.severity,
            "message": self.message,
        }


class ConfigError(OrgtfError):
    """org.yaml is invalid; carries every problem found, sorted by position."""

    exit_code = ExitCode.INVALID_CONFIG

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(sorted(problems))
        super().__init__("\n".join(str(p) for p in self.problems))

    def render(self) -> str:
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        return f"{self.message}\norgtf: {count} {noun} found"


class CommandError(OrgtfError):
    """An external command failed; the message names the command and holds its output."""

    def __init__(self, argv: Sequence[str], returncode: int, output: str) -> None:
        self.argv = tuple(argv)
        self.returncode = returncode
        self.output = output
        indented = "\n".join(f"    {line}" for line in output.rstrip().splitlines()) or "    (none)"
        super().__init__(
            f"command failed (exit {returncode}): {' '.join(self.argv)}\n  output:\n{indented}"
        )


class Interrupted(OrgtfError):
    """Ctrl-C or SIGTERM stopped the run."""

    exit_code = ExitCode.INTERRUPTED
