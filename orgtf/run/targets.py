"""Where Terraform runs: real AWS or the local sandbox.

Real runs use the rendered tree beside org.yaml and keep orgtf's own state in ``.orgtf/``.
Sandbox runs render a copy of the tree under ``.orgtf/sandbox/tree`` and keep everything in
``.orgtf/sandbox/``, so neither ever sees the other's state, lock files or data directories.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from orgtf.config import Organization
from orgtf.config.model import S3State
from orgtf.files import write_if_changed
from orgtf.run.workspace import Workspace
from orgtf.terraform.backend import (
    BackendSettings,
    BackendValue,
    backend_file_text,
    s3_lock_settings,
)
from orgtf.terraform.binary import TerraformBinary, resolve_terraform
from orgtf.terraform.driver import Terraform

TargetKind = Literal["aws", "sandbox"]


@dataclass(frozen=True)
class Target:
    """Real AWS or the sandbox: the tree, orgtf's state dir, the environment and binary."""

    kind: TargetKind
    tree_dir: Path
    state_dir: Path
    env: Mapping[str, str] = field(repr=False)
    terraform: TerraformBinary
    cli_config_file: Path | None = None
    backend_settings: BackendSettings = field(default_factory=dict)

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

    def backend_file(self) -> Path | None:
        """Backend settings for ``terraform init``, written to a file (never argv values)."""
        if not self.backend_settings:
            return None
        path = self.state_dir / "backend.hcl"
        write_if_changed(path, backend_file_text(self.backend_settings))
        return path


def real_target(org: Organization, environ: Mapping[str, str]) -> Target:
    """Run against the AWS account the caller's credentials reach."""
    project = org.path.resolve().parent
    terraform = resolve_terraform(environ)
    return Target(
        kind="aws",
        tree_dir=project,
        state_dir=project / ".orgtf",
        env=dict(environ),
        terraform=terraform,
        backend_settings=_state_lock(org, terraform),
    )


def sandbox_target(org: Organization, environ: Mapping[str, str]) -> Target:
    """Run against the local sandbox, starting and bootstrapping it if needed."""
    from orgtf.sandbox.runtime import ensure_sandbox  # the sandbox extra is optional

    project = org.path.resolve().parent
    sandbox = ensure_sandbox(org, project, env=environ)
    state = org.config.organization.state
    settings = sandbox.backend_settings(state) if isinstance(state, S3State) else {}
    return Target(
        kind="sandbox",
        tree_dir=sandbox.work_dir,
        state_dir=sandbox.state_dir,
        env=sandbox.terraform_env(environ),
        terraform=sandbox.terraform,
        cli_config_file=sandbox.cli_config_file,
        backend_settings={**settings, **_state_lock(org, sandbox.terraform)},
    )


def _state_lock(org: Organization, terraform: TerraformBinary) -> dict[str, BackendValue]:
    """How the S3 backend locks with this Terraform (the rendered block names DynamoDB)."""
    state = org.config.organization.state
    return s3_lock_settings(terraform) if isinstance(state, S3State) else {}


def select_target(org: Organization, sandbox: bool, environ: Mapping[str, str]) -> Target:
    """The sandbox when asked for, else real AWS."""
    env = dict(environ)
    return sandbox_target(org, env) if sandbox else real_target(org, env)
