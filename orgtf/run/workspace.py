"""Where Terraform runs: the target (real AWS or the sandbox) and each account's workspace.

Real runs use the rendered tree beside org.yaml and keep orgtf's own state in ``.orgtf/``.
Sandbox runs render a copy of the tree under ``.orgtf/sandbox/tree`` and keep everything in
``.orgtf/sandbox/``, so neither ever sees the other's state, lock files or data directories.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path, PurePosixPath
from typing import Literal

from orgtf.config import Organization
from orgtf.config.model import S3State
from orgtf.errors import OrgtfError
from orgtf.files import write_if_changed
from orgtf.render.sync import RenderResult, write_tree
from orgtf.render.tree import account_of, render_tree
from orgtf.terraform.binary import TerraformBinary, resolve_terraform
from orgtf.terraform.driver import Terraform

TargetKind = Literal["aws", "sandbox"]


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


@dataclass(frozen=True)
class PlanSource:
    """What a saved plan is made from: digests of org.yaml and of one account's rendered files."""

    config_sha256: str
    tree_sha256: str


@dataclass(frozen=True)
class PlanRecord:
    """What orgtf records beside a saved plan: whose it is, when, where, and what from."""

    account: str
    account_id: str
    created_at: str
    target: str
    state: str  # ``lineage:serial`` of the state the plan was made against
    config_sha256: str
    tree_sha256: str

    @property
    def source(self) -> PlanSource:
        """What the plan was made from."""
        return PlanSource(self.config_sha256, self.tree_sha256)

    def to_json(self) -> str:
        """The record as a JSON object with sorted keys, ending with a newline."""
        return json.dumps(asdict(self), indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str, where: Path) -> PlanRecord:
        """Parse ``to_json`` output read from ``where``; OrgtfError when it is not one."""
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise _unreadable(where, str(exc)) from exc
        if not isinstance(data, dict):
            raise _unreadable(where, "not a JSON object")
        problems = _record_problems(data, [f.name for f in fields(cls)])
        if problems:
            raise _unreadable(where, problems)
        return cls(**data)


def _record_problems(data: dict[str, object], names: list[str]) -> str:
    """What keeps ``data`` from being a plan record with the fields ``names``; "" when nothing."""
    missing = [n for n in names if n not in data]
    unknown = sorted(k for k in data if k not in names)
    not_text = sorted(k for k, v in data.items() if k in names and not isinstance(v, str))
    problems = [
        f"{what}: {', '.join(keys)}"
        for what, keys in (("missing", missing), ("unknown", unknown), ("not text", not_text))
        if keys
    ]
    return "; ".join(problems)


def _unreadable(where: Path, reason: str) -> OrgtfError:
    return OrgtfError(f"{where}: unreadable plan record ({reason}); run orgtf plan again")


@dataclass(frozen=True)
class Target:
    """Real AWS or the sandbox: the tree, orgtf's state dir, the environment and binary."""

    kind: TargetKind
    tree_dir: Path
    state_dir: Path
    env: Mapping[str, str] = field(repr=False)
    terraform: TerraformBinary
    cli_config_file: Path | None = None
    backend_settings: tuple[tuple[str, str], ...] = ()

    @property
    def plugin_cache_dir(self) -> Path:
        return self.state_dir / "plugin-cache"

    def workspace(self, org: Organization, account: str, plan_dir: Path | None = None) -> Workspace:
        """The workspace of ``account``; saved plans live in ``plan_dir`` when given."""
        plans = plan_dir or self.state_dir / "plans"
        return Workspace(
            account=account,
            account_id=org.account(account).id,
            workdir=self.tree_dir / "environments" / account,
            data_dir=self.state_dir / "data" / account,
            plan_file=plans / f"{account}.tfplan",
            log_dir=self.state_dir / "logs" / account,
        )

    def terraform_for(self, ws: Workspace) -> Terraform:
        """A driver for ``ws``: its own data dir and log, the shared plugin cache."""
        self.plugin_cache_dir.mkdir(parents=True, exist_ok=True)  # Terraform never creates it
        return Terraform(
            binary=self.terraform.path,
            workdir=ws.workdir,
            env=self.env,
            log_dir=ws.log_dir,
            data_dir=ws.data_dir,
            plugin_cache_dir=self.plugin_cache_dir,
            cli_config_file=self.cli_config_file,
        )

    def backend_files(self) -> list[Path]:
        """Backend settings for ``terraform init``, written to a file (never argv values)."""
        if not self.backend_settings:
            return []
        path = self.state_dir / "backend.hcl"
        lines = [f"{key} = {value}" for key, value in self.backend_settings]
        write_if_changed(path, "\n".join(lines) + "\n")
        return [path]


def real_target(org: Organization, environ: Mapping[str, str]) -> Target:
    """Run against the AWS account the caller's credentials reach."""
    project = org.path.resolve().parent
    return Target(
        kind="aws",
        tree_dir=project,
        state_dir=project / ".orgtf",
        env=dict(environ),
        terraform=resolve_terraform(environ),
    )


def sandbox_target(org: Organization, environ: Mapping[str, str]) -> Target:
    """Run against the local sandbox, starting and bootstrapping it if needed."""
    from orgtf.sandbox.runtime import ensure_sandbox  # the sandbox extra is optional

    project = org.path.resolve().parent
    sandbox = ensure_sandbox(org, project, env=environ)
    state = org.config.organization.state
    settings = _hcl_settings(sandbox.backend_config(state)) if isinstance(state, S3State) else ()
    return Target(
        kind="sandbox",
        tree_dir=sandbox.work_dir,
        state_dir=sandbox.state_dir,
        env=sandbox.terraform_env(environ),
        terraform=sandbox.terraform,
        cli_config_file=sandbox.cli_config_file,
        backend_settings=settings,
    )


def select_target(org: Organization, sandbox: bool, environ: Mapping[str, str]) -> Target:
    """The sandbox when asked for, else real AWS."""
    env = dict(environ)
    return sandbox_target(org, env) if sandbox else real_target(org, env)


def prepare_tree(org: Organization, target: Target) -> RenderResult:
    """Render the tree into the target when it is stale (only changed files are written)."""
    return write_tree(org, target.tree_dir)


def abandoned_states(org: Organization, target: Target) -> list[str]:
    """Account roots whose account left org.yaml while their local state still holds resources."""
    environments = target.tree_dir / "environments"
    if not environments.is_dir():
        return []
    known = set(org.account_names())
    return sorted(
        root.name
        for root in environments.iterdir()
        if root.name not in known and (root / "terraform.tfstate").is_file()
    )


def fingerprints(org: Organization, target: Target) -> dict[str, PlanSource]:
    """Per account, what a saved plan was made from: org.yaml and its rendered files."""
    config = hashlib.sha256(org.path.read_bytes()).hexdigest()
    files: dict[str | None, list[tuple[PurePosixPath, str]]] = {}
    for path, content in render_tree(org, target.tree_dir).items():
        files.setdefault(account_of(path), []).append((path, content))
    result: dict[str, PlanSource] = {}
    for account in org.account_names():
        digest = hashlib.sha256()
        for path, content in sorted([*files.get(None, []), *files.get(account, [])]):
            digest.update(f"{path}\0{content}\0".encode())
        result[account] = PlanSource(config, digest.hexdigest())
    return result


def _hcl_settings(arguments: list[str]) -> tuple[tuple[str, str], ...]:
    """``-backend-config=k=v`` arguments as HCL assignments (booleans and objects kept bare)."""
    pairs: list[tuple[str, str]] = []
    for argument in arguments:
        key, _, value = argument.removeprefix("-backend-config=").partition("=")
        bare = value in ("true", "false") or value.startswith("{")
        pairs.append((key, value if bare else json.dumps(value)))
    return tuple(pairs)
