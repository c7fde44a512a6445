"""What a check reports: a problem at a path in org.yaml (the loader adds the position)."""

from __future__ import annotations

from typing import NamedTuple

from orgtf.errors import Severity

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
