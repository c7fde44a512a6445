"""What a check reports: a problem at a path in org.yaml (the loader adds the position)."""

from __future__ import annotations

from typing import NamedTuple

PathKey = tuple[str | int, ...]


class Finding(NamedTuple):
    """A problem at ``path``; ``at_key`` points at the key rather than its value."""

    path: PathKey
    message: str
    at_key: bool = False


Raw = Finding | tuple[PathKey, str]
