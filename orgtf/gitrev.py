"""Read files as they were at a git revision (``access diff --base-ref``, ``affected``)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
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


@dataclass(frozen=True)
class Revision:
    """A git revision ``ref`` (commit ``commit``) of the repository at ``top``."""

    top: Path
    ref: str
    commit: str
    env: Mapping[str, str]

    def relpath(self, path: Path) -> str:
        """``path`` relative to the repository root (its directory resolved, not the file)."""
        path = path.absolute()
        try:
            return (path.parent.resolve() / path.name).relative_to(self.top).as_posix()
        except ValueError:
            raise UsageError(f"{path} is outside the git repository at {self.top}") from None

    def read(self, relpath: str) -> RevisionFile | None:
        """The file at ``relpath`` in this revision; None when it did not exist there."""
        spec = f"{self.commit}:{relpath}"
        if _git(self.top, ["cat-file", "-e", spec], self.env).returncode != 0:
            return None
        shown = _git(self.top, ["show", spec], self.env)
        if shown.returncode != 0:
            raise UsageError(f"cannot read {relpath} at git revision {self.ref!r}: {_first(shown)}")
        return RevisionFile(self.ref, self.commit, relpath, shown.output)

    def blobs(self, prefixes: Sequence[str]) -> dict[str, str]:
        """Each file under ``prefixes`` (relative to the root) in this revision: its blob id."""
        listed = self._lines(["ls-tree", "-r", "-z", "--full-tree", self.commit, "--", *prefixes])
        found: dict[str, str] = {}
        for entry in listed:
            meta, _, path = entry.partition("\t")
            _mode, kind, blob = meta.split(" ")
            if kind == "blob":
                found[path] = blob
        return found

    def worktree_files(self, prefixes: Sequence[str]) -> list[str]:
        """Files under ``prefixes`` in the working tree that git tracks or would: those in the
        index and the untracked ones that are not ignored (relative to the root)."""
        argv = ["ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", *prefixes]
        return sorted(set(self._lines(argv)))

    def blob_id(self, content: bytes) -> str:
        """The id git gives a blob holding ``content`` in this repository."""
        digest = hashlib.new(self._object_format)
        digest.update(b"blob %d\0" % len(content))
        digest.update(content)
        return digest.hexdigest()

    @property
    def _object_format(self) -> str:
        # 40 hex digits: SHA-1; 64: SHA-256 (a repository made with --object-format=sha256).
        return "sha256" if len(self.commit) == 64 else "sha1"

    def _lines(self, args: list[str]) -> list[str]:
        result = _git(self.top, args, self.env)
        if result.returncode != 0:
            raise UsageError(f"git {args[0]} failed in {self.top}: {_first(result)}")
        return [item for item in result.output.split("\0") if item]


def git_env(environ: Mapping[str, str]) -> dict[str, str]:
    """The environment for git: the caller's, without repository overrides or prompts."""
    env = {k: v for k, v in environ.items() if k not in _REPO_OVERRIDES}
    env.update({"GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat", "LC_ALL": "C"})
    return env


def resolve_revision(directory: Path, ref: str, *, env: Mapping[str, str]) -> Revision:
    """Revision ``ref`` of the git repository holding ``directory``.

    Raises UsageError when ``ref`` is malformed or unknown, or ``directory`` is not in a
    git repository.
    """
    _check_ref(ref)
    top = _toplevel(directory.absolute(), env)
    return Revision(top=top, ref=ref, commit=_commit(top, ref, env), env=env)


def read_at_ref(path: Path, ref: str, *, env: Mapping[str, str]) -> RevisionFile:
    """The contents of ``path`` at git revision ``ref`` of the repository that holds it.

    Raises UsageError when ``ref`` is malformed or unknown, when ``path`` is not in a git
    repository, or when the file did not exist at that revision.
    """
    revision = resolve_revision(path.absolute().parent, ref, env=env)
    relpath = revision.relpath(path)
    found = revision.read(relpath)
    if found is None:
        raise UsageError(
            f"{relpath} does not exist at git revision {ref!r} ({revision.commit[:12]})"
        )
    return found


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
