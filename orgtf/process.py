"""The one place orgtf starts subprocesses: argv lists, no shell, an explicit environment."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from orgtf.errors import CommandError, OrgtfError


@dataclass(frozen=True)
class Completed:
    """A finished command: its argv, exit code and combined output."""

    argv: tuple[str, ...]
    returncode: int
    output: str


def run(
    argv: Sequence[str],
    *,
    env: Mapping[str, str],
    cwd: Path | None = None,
    ok_codes: frozenset[int] = frozenset({0}),
    timeout: float | None = None,
    stdin_text: str | None = None,
) -> Completed:
    """Run ``argv`` to completion; raise CommandError unless its code is in ``ok_codes``."""
    try:
        proc = subprocess.run(
            list(argv),
            env=dict(env),
            cwd=cwd,
            input=stdin_text,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError as exc:
        raise OrgtfError(f"cannot run {argv[0]}: not found") from exc
    except subprocess.TimeoutExpired as exc:
        raise OrgtfError(f"command timed out after {timeout}s: {' '.join(argv)}") from exc
    result = Completed(tuple(argv), proc.returncode, proc.stdout or "")
    if result.returncode not in ok_codes:
        raise CommandError(result.argv, result.returncode, result.output)
    return result


def spawn_detached(
    argv: Sequence[str], *, env: Mapping[str, str], log_path: Path, cwd: Path | None = None
) -> int:
    """Start a long-lived background process in its own session; return its pid."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        try:
            proc = subprocess.Popen(
                list(argv),
                env=dict(env),
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        except FileNotFoundError as exc:
            raise OrgtfError(f"cannot run {argv[0]}: not found") from exc
    return proc.pid
