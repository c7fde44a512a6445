"""The rendered tree committed at a git revision, against the tree a plan would use now.

When a repository commits ``environments/`` and ``modules/`` (as docs/plan-apply.md advises),
the revision's copy is what was last reviewed. Comparing it with what ``orgtf plan`` would use
now catches what rendering the revision's org.yaml with today's orgtf cannot: new templates or
modules after an orgtf upgrade, and the files Terraform reads beside the rendered ones (an
account's ``.terraform.lock.hcl``, a hand-written ``.tf`` file). Blobs are compared by id, so
no committed file is read.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from orgtf.gitrev import Revision
from orgtf.render.tree import ENVIRONMENTS, MODULES, TF_HEADER, is_generated

_MODULE_HEADER = f"{TF_HEADER}\n\n"


def committed_changes(
    revision: Revision, project: Path, rendered: Mapping[PurePosixPath, str]
) -> list[PurePosixPath]:
    """Paths under ``environments/`` and ``modules/`` (relative to ``project``) whose content
    at ``revision`` differs from what a plan would use now; ``rendered`` is the tree orgtf
    renders now, modules included. Empty when the revision tracks no rendered files."""
    prefix = _prefix(revision, project)
    tops = [f"{prefix}{ENVIRONMENTS}", f"{prefix}{MODULES}"]
    committed = {_relative(p, prefix): blob for p, blob in revision.blobs(tops).items()}
    if not committed:
        return []
    present = {_relative(p, prefix) for p in revision.worktree_files(tops)}
    candidates = {p for p in committed.keys() | present | rendered.keys() if _in_tree(p)}
    return sorted(
        path
        for path in candidates
        if committed.get(path) not in _current_ids(revision, project, path, rendered)
    )


def _current_ids(
    revision: Revision, project: Path, path: PurePosixPath, rendered: Mapping[PurePosixPath, str]
) -> set[str | None]:
    """The blob ids ``path`` may have now (None: absent), as ``orgtf plan`` would leave it."""
    if path in rendered:
        content = rendered[path]
        ids: set[str | None] = {revision.blob_id(content.encode())}
        if path.parts[0] == MODULES.name and content.startswith(_MODULE_HEADER):
            # A checkout of orgtf itself holds the packaged modules without the notice.
            ids.add(revision.blob_id(content[len(_MODULE_HEADER) :].encode()))
        return ids
    try:
        data = (project / path).read_bytes()
    except OSError:
        return {None}
    if is_generated(data[:4096].decode("utf-8", errors="replace")):
        return {None}  # generated but no longer rendered: the next render removes it
    return {revision.blob_id(data)}


def _prefix(revision: Revision, project: Path) -> str:
    """``project`` relative to the repository root, as a prefix of paths (``""`` at the root)."""
    # relpath resolves a file's directory, not the file: any name in ``project`` will do.
    relative = PurePosixPath(revision.relpath(project / "org.yaml")).parent
    return "" if relative == PurePosixPath(".") else f"{relative}/"


def _relative(path: str, prefix: str) -> PurePosixPath:
    return PurePosixPath(path[len(prefix) :])


def _in_tree(path: PurePosixPath) -> bool:
    """Under environments/ or modules/, and not in a hidden directory such as ``.terraform/``."""
    parts = path.parts
    return (
        len(parts) > 1
        and parts[0] in (ENVIRONMENTS.name, MODULES.name)
        and not any(part.startswith(".") for part in parts[1:-1])
    )
