"""Read a file as it was at a git revision (``access diff --base-ref``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from orgtf.errors import UsageError
from orgtf.process import Completed, run

# Variables that would point git at another repository than the one holding the file.
_REPO_OVERRIDES = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_NAMESPACE")


@dataclass(frozen=True)
class RevisionFile:
    """The text of ``relpath`` (relative to the repository root) at ``ref`` (commit ``commit``)."""

    ref: str
    commit: str
    relpath: str
    text: str

    @property
    def label(self) -> str:
        """``REF:PATH``, as ``git show`` takes it."""
        return f"{self.ref}:{self.relpath}"


def git_env(environ: Mapping[str, str]) -> dict[str, str]:
    """The environment for git: the caller's, without repository overrides or prompts."""
    env = {k: v for k, v in environ.items() if k not in _REPO_OVERRIDES}
    env.update({"GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat", "LC_ALL": "C"})
    return env


def read_at_ref(path: Path, ref: str, *, env: Mapping[str, str]) -> RevisionFile:
    """The contents of ``path`` at git revision ``ref`` of the repository that holds it.

    Raises UsageError when ``ref`` is malformed or unknown, when ``path`` is not in a git
    repository, or when the file did not exist at that revision.
    """
    _check_ref(ref)
    path = path.absolute()
    top = _toplevel(path.parent, env)
    try:
        # Resolve the directory only: a symlinked org.yaml is tracked as itself.
        relpath = (path.parent.resolve() / path.name).relative_to(top).as_posix()
    except ValueError:
        raise UsageError(f"{path} is outside the git repository at {top}") from None
    commit = _commit(top, ref, env)
    spec = f"{commit}:{relpath}"
    if _git(top, ["cat-file", "-e", spec], env).returncode != 0:
        raise UsageError(f"{relpath} does not exist at git revision {ref!r} ({commit[:12]})")
    shown = _git(top, ["show", spec], env)
    if shown.returncode != 0:
        raise UsageError(f"cannot read {relpath} at git revision {ref!r}: {_first(shown)}")
    return RevisionFile(ref=ref, commit=commit, relpath=relpath, text=shown.output)


def _check_ref(ref: str) -> None:
    # A leading "-" would be read as an option; ":" would change what "REF:PATH" names.
    if not ref or ref.startswith("-") or ":" in ref or any(c.isspace() for c in ref):
        raise UsageError(f"invalid git revision {ref!r}")


def _toplevel(directory: Path, env: Mapping[str, str]) -> Path:
    if not directory.is_dir():
        raise UsageError(f"{directory} does not exist; cannot look up its git repository")
    found = _git(directory, ["rev-parse", "--show-toplevel"], env)
    if found.returncode != 0:
        raise UsageError(
            f"--base-ref needs the config file in a git repository; {directory}: {_first(found)}"
        )
    return Path(found.output.strip()).resolve()


def _commit(top: Path, ref: str, env: Mapping[str, str]) -> str:
    found = _git(top, ["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], env)
    commit = found.output.strip()
    if found.returncode != 0 or not commit:
        raise UsageError(f"unknown git revision {ref!r} in {top}")
    return commit


def _git(cwd: Path, args: list[str], env: Mapping[str, str]) -> Completed:
    return run(["git", *args], env=env, cwd=cwd, ok_codes=frozenset(range(256)))


def _first(result: Completed) -> str:
    lines = [line for line in result.output.splitlines() if line.strip()]
    return lines[0].strip() if lines else f"git exited with code {result.returncode}"
