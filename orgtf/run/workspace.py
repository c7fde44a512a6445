"""Each account's workspace: its root, data dir, plan file and logs, and the rendered tree
they share (rendered when stale, fingerprinted for saved plans)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from orgtf.config import Organization
from orgtf.render.tree import account_of, render_tree


@dataclass(frozen=True)
class Workspace:
    """One account's isolated place to run: its root, data dir, plan file and logs."""

    account: str
    account_id: str
    workdir: Path
    data_dir: Path
    plan_file: Path
    log_dir: Path

    @property
    def plan_meta(self) -> Path:
        """What orgtf records beside a saved plan (what it was made from)."""
        return self.plan_file.with_suffix(".json")

    @property
    def reviewed_plan(self) -> Path:
        """The private copy of the saved plan that apply checks and applies."""
        return self.data_dir / "reviewed.tfplan"


@dataclass(frozen=True)
class PlanSource:
    """What a saved plan is made from: digests of org.yaml and of one account's rendered files."""

    config_sha256: str
    tree_sha256: str


def abandoned_states(org: Organization, tree_dir: Path) -> list[str]:
    """Account roots whose account left org.yaml while their local state still holds resources."""
    environments = tree_dir / "environments"
    if not environments.is_dir():
        return []
    known = set(org.account_names())
    return sorted(
        root.name
        for root in environments.iterdir()
        if root.name not in known and (root / "terraform.tfstate").is_file()
    )


def fingerprints(org: Organization, tree_dir: Path) -> dict[str, PlanSource]:
    """Per account, what a saved plan was made from: org.yaml and its rendered files."""
    config = hashlib.sha256(org.path.read_bytes()).hexdigest()
    files: dict[str | None, list[tuple[PurePosixPath, str]]] = {}
    for path, content in render_tree(org, tree_dir).items():
        files.setdefault(account_of(path), []).append((path, content))
    result: dict[str, PlanSource] = {}
    for account in org.account_names():
        digest = hashlib.sha256()
        for path, content in sorted([*files.get(None, []), *files.get(account, [])]):
            digest.update(f"{path}\0{content}\0".encode())
        result[account] = PlanSource(config, digest.hexdigest())
    return result
