"""Why a Terraform command failed, as typed errors: a stale plan, a lock held by someone,
a damaged state, or anything else with Terraform's own words and the log to read.

``failure`` reads what Terraform printed and picks the error; nothing downstream parses
Terraform's text again.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from orgtf.errors import OrgtfError

_EXCERPT_LINES = 15
_ALREADY_EXISTS = "EntityAlreadyExists"
_WITH = re.compile(r"^\s*[│]?\s*with (\S+),\s*$", re.M)
_LOCK_INFO = re.compile(r"^\s*(ID|Who|Operation|Created):\s*(.*?)\s*$", re.M)


class TerraformError(OrgtfError):
    """A Terraform command failed; the message names the command, exit code and log file."""

    def __init__(
        self, args: Sequence[str], returncode: int, output: str, log_path: Path, note: str = ""
    ) -> None:
        self.command = " ".join(["terraform", *args])
        self.returncode = returncode
        self.log_path = log_path
        excerpt = "\n".join(f"    {line}" if line else "" for line in error_excerpt(output))
        super().__init__(
            f"terraform {args[0]} failed (exit {returncode}){note}\n"
            f"  command: {self.command}\n{excerpt or '    (no output)'}\n  full log: {log_path}"
        )


class StalePlanError(TerraformError):
    """A saved plan no longer matches the state it was made from; plan again."""


class StateLockedError(TerraformError):
    """The state is locked by another run; ``holder`` says who holds it."""

    def __init__(self, args: Sequence[str], returncode: int, output: str, log_path: Path) -> None:
        info = dict(_LOCK_INFO.findall(output))
        self.holder = info.get("Who", "unknown")
        self.lock_id = info.get("ID", "")
        note = (
            f": state locked by {self.holder} ({info.get('Operation', 'unknown operation')}"
            f" since {info.get('Created', '?')}, lock ID {self.lock_id or '?'})"
        )
        super().__init__(args, returncode, output, log_path, note)


def error_excerpt(output: str) -> list[str]:
    """The lines of Terraform output that explain a failure: from the first ``Error:`` on."""
    lines = [line.rstrip() for line in output.splitlines()]
    start = next((i for i, line in enumerate(lines) if line.lstrip("│╷ ").startswith("Error")), -1)
    chosen = lines[start : start + _EXCERPT_LINES] if start >= 0 else lines[-_EXCERPT_LINES:]
    kept = [line for i, line in enumerate(chosen) if line or (i and chosen[i - 1])]
    return "\n".join(kept).strip("\n").splitlines()


class DamagedStateError(TerraformError):
    """The state could not be read: it is damaged (say, truncated by a full disk)."""

    def __init__(
        self, args: Sequence[str], returncode: int, output: str, log_path: Path, workdir: Path
    ) -> None:
        local = workdir / "terraform.tfstate"
        backup = local.with_name("terraform.tfstate.backup")
        if local.is_file():
            how = (
                f"; the state file {local} is not valid: Terraform kept the one before the "
                f"last write in {backup}"
                + ("" if backup.is_file() else " (absent here)")
                + ". Inspect it (`terraform show` on a copy), move the damaged file aside, "
                "put the backup in its place and run `orgtf plan` to see what it lacks"
            )
        else:
            how = (
                "; the remote state object is not valid: restore its previous version (S3 "
                "bucket versioning keeps it), then run `orgtf plan`"
            )
        super().__init__(args, returncode, output, log_path, ": the state is damaged" + how)


class ResourceExistsError(TerraformError):
    """Terraform tried to create objects that already exist in AWS but not in its state."""

    def __init__(
        self, args: Sequence[str], returncode: int, output: str, log_path: Path, found: list[str]
    ) -> None:
        self.addresses = tuple(found)
        note = f": {', '.join(found)} already exist in AWS but not in the Terraform state"
        super().__init__(args, returncode, output, log_path, note)


def existing_objects(output: str) -> list[str]:
    """The addresses Terraform failed to create because their objects already exist."""
    found = []
    for block in re.split(r"^\s*[│╷]?\s*Error: ", output, flags=re.M)[1:]:
        if _ALREADY_EXISTS in block and (address := _WITH.search(block)):
            found.append(address.group(1))
    return found


class LockUnavailableError(TerraformError):
    """Terraform could not take the state lock for a reason other than another holder."""


def failure(
    args: Sequence[str], returncode: int, output: str, log_path: Path, workdir: Path
) -> TerraformError:
    """The error for a failed Terraform command, by what Terraform said."""
    if "Unsupported state file format" in output or "Failed to load state" in output:
        return DamagedStateError(args, returncode, output, log_path, workdir)
    if "Error acquiring the state lock" in output:
        if _LOCK_INFO.search(output):
            return StateLockedError(args, returncode, output, log_path)
        note = ": the state lock could not be taken (see the error below)"
        return LockUnavailableError(args, returncode, output, log_path, note)
    if found := existing_objects(output):
        return ResourceExistsError(args, returncode, output, log_path, found)
    error = StalePlanError if "Saved plan is stale" in output else TerraformError
    return error(args, returncode, output, log_path)
