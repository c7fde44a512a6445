"""A running sandbox as the rest of orgtf sees it: where it is and how to point tools at it.

Everything the sandbox writes lives under ``<project_dir>/.orgtf/sandbox/`` (the state dir):

- ``emulator.json``, ``emulator.log``: the moto process; ``sandbox.json``: what bootstrap made;
  ``credentials.json`` (mode 0600): the operator's access key;
- ``terraform.tfrc``: the sandbox-only Terraform CLI config (never ``~/.terraformrc``);
  ``mirror/``: the stand-in provider's filesystem mirror; ``plugin-cache/``: provider cache;
- ``bin/terraform``: a link to the Terraform binary sandbox runs use (first on PATH);
- ``tree/``: the working copies of rendered roots for sandbox runs (with their local state and
  lock files); ``data/<account>/``: their Terraform data dirs; ``plans/``, ``logs/``: saved
  plans and logs. So nothing of a sandbox run ever mixes with real runs.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from orgtf.config.model import S3State
from orgtf.errors import UsageError
from orgtf.sandbox.bootstrap import OperatorCredentials
from orgtf.terraform.backend import BackendValue
from orgtf.terraform.binary import TerraformBinary

STATE_DIR = Path(".orgtf") / "sandbox"
ProviderMode = Literal["standin", "registry"]
PROVIDER_MODES: tuple[ProviderMode, ...] = ("standin", "registry")
IamMode = Literal["on", "off"]  # whether the emulator checks sts:AssumeRole against IAM
IAM_MODES: tuple[IamMode, ...] = ("on", "off")
_DROPPED = frozenset(
    {"TF_CLI_CONFIG_FILE", "TERRAFORM_CONFIG", "TF_PLUGIN_CACHE_DIR", "TF_DATA_DIR"}
)
_BACKEND_SERVICES = ("dynamodb", "iam", "s3", "sts")
_LOOPBACK = "127.0.0.1,localhost"


def state_dir_of(project_dir: Path) -> Path:
    """The sandbox state dir of the project whose org.yaml is in ``project_dir``."""
    return project_dir / STATE_DIR


def provider_mode(env: Mapping[str, str]) -> ProviderMode:
    """``ORGTF_SANDBOX_PROVIDER``: standin (the default) or registry."""
    value = env.get("ORGTF_SANDBOX_PROVIDER", "") or "standin"
    for mode in PROVIDER_MODES:
        if value == mode:
            return mode
    raise UsageError(f"ORGTF_SANDBOX_PROVIDER={value}: expected one of {', '.join(PROVIDER_MODES)}")


def iam_mode(env: Mapping[str, str]) -> IamMode | None:
    """``ORGTF_SANDBOX_IAM``: on (the default for a new emulator) or off; None when unset."""
    value = env.get("ORGTF_SANDBOX_IAM", "")
    for mode in IAM_MODES:
        if value == mode:
            return mode
    if value:
        raise UsageError(f"ORGTF_SANDBOX_IAM={value}: expected one of {', '.join(IAM_MODES)}")
    return None


@dataclass(frozen=True)
class SandboxTarget:
    """A running, bootstrapped sandbox."""

    endpoint: str  # http://127.0.0.1:PORT
    pid: int
    state_dir: Path
    accounts: Mapping[str, str]  # account name -> id, master first
    terraform: TerraformBinary
    region: str
    organization_id: str
    operator: OperatorCredentials = field(repr=False)
    provider_mode: ProviderMode = "standin"  # "registry": the real hashicorp/aws
    iam: IamMode = "on"

    @property
    def port(self) -> int:
        return int(self.endpoint.rsplit(":", 1)[1])

    @property
    def work_dir(self) -> Path:
        """Where sandbox runs keep their copies of the rendered roots."""
        return self.state_dir / "tree"

    @property
    def cli_config_file(self) -> Path:
        return self.state_dir / "terraform.tfrc"

    @property
    def mirror_dir(self) -> Path:
        return self.state_dir / "mirror"

    @property
    def plugin_cache_dir(self) -> Path:
        return self.state_dir / "plugin-cache"

    @property
    def bin_dir(self) -> Path:
        return self.state_dir / "bin"

    def terraform_env(self, base: Mapping[str, str]) -> dict[str, str]:
        """``base`` with every AWS/Terraform setting replaced by the sandbox's.

        The user's AWS_* variables (profiles, session tokens, CA bundles) and Terraform CLI
        config, plugin cache and data dir settings are dropped, so nothing reaches real AWS or
        shares files with real runs.
        """
        env = {k: v for k, v in base.items() if not _dropped(k)}
        env.update(self.sandbox_variables(base))
        return env

    def sandbox_variables(self, base: Mapping[str, str]) -> dict[str, str]:
        """Just the variables the sandbox sets (PATH and NO_PROXY extend ``base``'s)."""
        aws_dir = self.state_dir / "aws"
        variables = {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": self.operator.access_key_id,
            "AWS_SECRET_ACCESS_KEY": self.operator.secret_access_key,
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_EC2_METADATA_DISABLED": "true",
            # Paths that do not exist: SDKs then never read the user's ~/.aws files.
            "AWS_CONFIG_FILE": str(aws_dir / "config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(aws_dir / "credentials"),
            "TF_CLI_CONFIG_FILE": str(self.cli_config_file),
            "CHECKPOINT_DISABLE": "1",
            "PATH": _prepend(str(self.bin_dir), base.get("PATH", os.defpath)),
            "NO_PROXY": _prepend(_LOOPBACK, base.get("NO_PROXY", ""), ","),
            "no_proxy": _prepend(_LOOPBACK, base.get("no_proxy", ""), ","),
        }
        if self.provider_mode == "registry":
            # Saves downloading the real provider per account. The stand-in needs no cache:
            # Terraform links it from the mirror, which parallel inits can share safely.
            variables["TF_PLUGIN_CACHE_DIR"] = str(self.plugin_cache_dir)
        return variables

    def shell_exports(self, base: Mapping[str, str]) -> list[str]:
        """POSIX shell lines that turn the environment ``base`` into ``terraform_env(base)``."""
        variables = self.sandbox_variables(base)
        dropped = sorted(k for k in base if _dropped(k) and k not in variables)
        unset = [f"unset {name}" for name in dropped]
        exports = [f"export {k}={_quote(variables[k])}" for k in sorted(variables)]
        return [*unset, *exports]

    def backend_settings(self, state: S3State) -> dict[str, BackendValue]:
        """Settings pointing an s3 backend at the emulator, for ``terraform init``.

        Terraform < 1.6 (and so 1.0.x) knows ``endpoint``, ``dynamodb_endpoint``, ... and
        ``force_path_style``; 1.6 and later (and OpenTofu) take an ``endpoints`` object and
        ``use_path_style``. Bucket, key and lock table come from the rendered backend block.
        """
        ep = self.endpoint
        settings: dict[str, BackendValue] = {
            "region": state.region or self.region,
            "skip_credentials_validation": True,
            "skip_metadata_api_check": True,
            "skip_region_validation": True,
        }
        if self.terraform.at_least(1, 6):
            settings["endpoints"] = {service: ep for service in _BACKEND_SERVICES}
            settings.update(use_path_style=True, skip_requesting_account_id=True)
        else:
            settings.update({f"{service}_endpoint": ep for service in ("dynamodb", "iam", "sts")})
            settings.update(endpoint=ep, force_path_style=True)
        return settings


def _dropped(name: str) -> bool:
    return name.startswith("AWS_") or name in _DROPPED


def _prepend(first: str, rest: str, sep: str = os.pathsep) -> str:
    parts = [p for p in rest.split(sep) if p and p not in first.split(sep)]
    return sep.join([first, *parts])


def _quote(value: str) -> str:
    """Always single-quoted, so the output is uniform and safe to ``eval``."""
    return "'" + value.replace("'", "'\"'\"'") + "'"
