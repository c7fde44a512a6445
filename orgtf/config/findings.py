"""What a check reports: a problem at a path in org.yaml (the loader adds the position)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from orgtf.errors import Problem, Severity

PathKey = tuple[str | int, ...]


class Finding(NamedTuple):
    """A problem at ``path``; ``at_key`` points at the key rather than its value.

    A warning leaves the file valid: validate prints it, and the ``Organization`` carries it.
    """

    path: PathKey
    message: str
    at_key: bool = False
    severity: Severity = "error"


Raw = Finding | tuple[PathKey, str]


@dataclass(frozen=True, order=True)
class Silenced:
    """A lint warning silenced in org.yaml (``lint: {ignore: ...}``), with the reason given.

    Validate still shows it, as a note, so that a reviewer sees what was let through and why.
    """

    problem: Problem
    reason: str

    def __str__(self) -> str:
        where = f"{self.problem.path}:{self.problem.line}:{self.problem.column}"
        return f"{where}: note: silenced: {self.problem.message}; reason: {self.reason}"

    def as_json(self) -> dict[str, str | int]:
        """The note as ``validate --format json`` lists it among the findings."""
        return {**self.problem.as_json(), "severity": "note", "reason": self.reason}
