"""Which accounts a change affects: those whose Terraform root differs from a git revision's.

An account's plan is a function of its root (the files in ``environments/<account>/`` and
the modules they call), its state and the real world. A change to org.yaml can only reach
the plan through the root, so comparing roots finds every account whose plan it can change,
and no other. The roots are compared as rendered, byte for byte, never by reading org.yaml's
meaning: variables, module calls, provider and backend settings and the Terraform version
constraint are all in those files, and so are the grants in the master account's root.

Two views of the revision are compared with the root a plan would use now, and an account
differing in either is affected:

- org.yaml at the revision, rendered by this orgtf (always);
- the rendered tree committed at the revision, when the repository commits one
  (``orgtf.run.committed``): it also shows module and template changes of an orgtf upgrade
  and the lock and other files Terraform reads beside the rendered ones.

When the revision's org.yaml cannot be rendered (absent, invalid, refused), every account is
affected, and ``everything`` says why. Changes made outside org.yaml (drift) are not seen:
a scheduled full plan catches those (docs/ci.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from orgtf.config import Organization, load_organization_text
from orgtf.errors import ConfigError, OrgtfError
from orgtf.gitrev import Revision, resolve_revision
from orgtf.render.tree import MODULES, account_of, default_out_dir, module_files, render_tree
from orgtf.run.committed import committed_changes

Files = dict[PurePosixPath, str]
_ROOT_CALL = re.compile(r'source\s*=\s*"\.\./\.\./modules/([^"/]+)"')
_MODULE_CALL = re.compile(r'source\s*=\s*"\.\./([^"/]+)"')
_EVERY_MODULE = ""  # a file directly under modules/: it may belong to any of them


@dataclass(frozen=True)
class AccountChange:
    """An affected account and what differs in its root (paths relative to the project)."""

    account: str
    paths: tuple[str, ...]


@dataclass(frozen=True)
class Affected:
    """The accounts to plan after the changes since git revision ``ref`` (commit ``commit``).

    ``changes`` are in the organization's account order; ``removed`` are the accounts that
    left org.yaml since (their state still holds their resources); ``everything`` says why
    every account is listed, when the revision could not be compared.
    """

    ref: str
    commit: str
    changes: tuple[AccountChange, ...]
    removed: tuple[str, ...]
    everything: str | None = None

    @property
    def accounts(self) -> list[str]:
        """The affected accounts' names, in the organization's order."""
        return [change.account for change in self.changes]


def find_affected(org: Organization, ref: str, *, env: Mapping[str, str]) -> Affected:
    """The accounts whose root differs from the one at git revision ``ref``.

    Raises UsageError when ``ref`` is not a revision of the repository holding org.yaml.
    """
    project = default_out_dir(org)
    revision = resolve_revision(project, ref, env=env)
    head = _render(org, project)
    base, why = _base(org, revision, project)
    if base is None:
        changes = [AccountChange(a, (why,)) for a in org.account_names()]
        return Affected(ref, revision.commit, tuple(changes), (), everything=why)
    rendered = {path: content for files in head.values() for path, content in files.items()}
    committed = committed_changes(revision, project, {**rendered, **module_files()})
    changes = _changes(org, head, base, committed)
    removed = (set(base) | {a for p in committed if (a := account_of(p))}) - set(head)
    return Affected(ref, revision.commit, tuple(changes), tuple(sorted(removed)))


def _base(
    org: Organization, revision: Revision, project: Path
) -> tuple[dict[str, Files] | None, str]:
    """The roots rendered from org.yaml at ``revision``, or None and why they cannot be."""
    relpath = revision.relpath(org.path)
    found = revision.read(relpath)
    where = f"{revision.ref} ({revision.commit[:12]})"
    if found is None:
        return None, f"{relpath} does not exist at {where}"
    try:
        base = load_organization_text(found.text, Path(found.label))
        return _render(base, project), ""
    except ConfigError as exc:
        return None, f"{relpath} at {where} is not valid: {exc.problems[0]}"
    except OrgtfError as exc:
        return None, f"{relpath} at {where} cannot be rendered ({exc.message})"


def _render(org: Organization, project: Path) -> dict[str, Files]:
    """Each account's rendered files, by account (the shared modules left out)."""
    roots: dict[str, Files] = {account: {} for account in org.account_names()}
    for path, content in render_tree(org, project).items():
        account = account_of(path)
        if account is not None:
            roots[account][path] = content
    return roots


def _changes(
    org: Organization,
    head: Mapping[str, Files],
    base: Mapping[str, Files],
    committed: Iterable[PurePosixPath],
) -> list[AccountChange]:
    by_account, by_module = _committed_by_owner(committed)
    calls = _module_calls(module_files())
    changes = []
    for account in org.account_names():
        old = base.get(account, {})
        new = head[account]
        paths = {str(p) for p in old.keys() | new.keys() if old.get(p) != new.get(p)}
        paths.update(by_account.get(account, ()))
        for module in _modules_used([*old.values(), *new.values()], calls):
            paths.update(by_module.get(module, ()))
            paths.update(by_module.get(_EVERY_MODULE, ()))
        if paths:
            changes.append(AccountChange(account, tuple(sorted(paths))))
    return changes


def _committed_by_owner(
    committed: Iterable[PurePosixPath],
) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Committed changes by the account whose directory holds them, and by module."""
    by_account: dict[str, set[str]] = {}
    by_module: dict[str, set[str]] = {}
    for path in committed:
        account = account_of(path)
        if account is not None:
            by_account.setdefault(account, set()).add(str(path))
        elif path.parts[0] == MODULES.name:
            module = path.parts[1] if len(path.parts) > 2 else _EVERY_MODULE
            by_module.setdefault(module, set()).add(str(path))
    return by_account, by_module


def _module_calls(modules: Mapping[PurePosixPath, str]) -> dict[str, set[str]]:
    """Each module and the modules it calls (``source = "../NAME"``)."""
    calls: dict[str, set[str]] = {}
    for path, content in modules.items():
        if len(path.parts) > 2:
            calls.setdefault(path.parts[1], set()).update(_MODULE_CALL.findall(content))
    return calls


def _modules_used(root_files: Iterable[str], calls: Mapping[str, set[str]]) -> set[str]:
    """The modules a root calls, directly or through other modules."""
    pending = [name for text in root_files for name in _ROOT_CALL.findall(text)]
    used: set[str] = set()
    while pending:
        module = pending.pop()
        if module not in used:
            used.add(module)
            pending.extend(calls.get(module, ()))
    return used
