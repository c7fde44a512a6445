"""The org.yaml the sandbox tests use, a sandbox for a project, and clients into the emulator.

Fixtures built from these live in ``tests/conftest.py``; a test that needs a sandbox of its own
(to start from a state it knows) uses :func:`running_sandbox` directly. Each project directory
gets its own emulator on a free port, so xdist workers never share one.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3

from orgtf.config import load_organization
from orgtf.sandbox.bootstrap import account_client
from orgtf.sandbox.runtime import SandboxTarget, ensure_sandbox, stop_sandbox

MASTER_ID = "111111111111"
PROD_ID = "222222222222"
DEV_ID = "333333333333"

# Three accounts, one role per member account, a group and a user: small but complete.
SMALL_ORG = f"""\
organization:
  name: testorg
  master_account: master
  region: us-east-1
  access_role: OrganizationAccountAccessRole
  state: {{backend: local}}
accounts:
  master: {{id: "{MASTER_ID}"}}
  prod: {{id: "{PROD_ID}", protected: true}}
  dev: {{id: "{DEV_ID}"}}
roles:
  Admin:
    accounts: [prod, dev]
    managed_policy_arns: [arn:aws:iam::aws:policy/AdministratorAccess]
groups:
  admins:
    roles: [prod/Admin, dev/Admin]
users:
  alice: {{groups: [admins]}}
"""

S3_STATE = "{backend: s3, bucket: testorg-tf-state, lock_table: testorg-tf-locks}"


def write_org(project_dir: Path, text: str = SMALL_ORG) -> Path:
    """Write ``org.yaml`` into ``project_dir`` (created if needed); return ``project_dir``."""
    project_dir.mkdir(parents=True, exist_ok=True)
    (project_dir / "org.yaml").write_text(text, encoding="utf-8")
    return project_dir


def with_s3_state(text: str = SMALL_ORG) -> str:
    """``text`` with its state backend switched to :data:`S3_STATE`."""
    return text.replace("state: {backend: local}", f"state: {S3_STATE}")


@contextmanager
def running_sandbox(
    project_dir: Path, env: Mapping[str, str] | None = None
) -> Iterator[SandboxTarget]:
    """The sandbox for ``project_dir/org.yaml``; always stopped and removed afterwards."""
    try:
        org = load_organization(project_dir / "org.yaml")
        yield ensure_sandbox(org, project_dir, env=os.environ if env is None else env)
    finally:
        stop_sandbox(project_dir)


def client_as_account(target: SandboxTarget, service: str, account_id: str) -> Any:
    """A boto3 client acting as ``account_id`` in the emulator (to inspect or change it)."""
    return account_client(service, target.endpoint, target.region, account_id)


def operator_client(target: SandboxTarget, service: str) -> Any:
    """A boto3 client with the operator's credentials, as Terraform gets them."""
    return _client(target, service, _operator_keys(target))


def assumed_client(target: SandboxTarget, service: str, role_arn: str) -> Any:
    """A boto3 client with credentials from the operator assuming ``role_arn``."""
    sts = operator_client(target, "sts")
    creds = sts.assume_role(RoleArn=role_arn, RoleSessionName="orgtf-test")["Credentials"]
    keys = {
        "aws_access_key_id": creds["AccessKeyId"],
        "aws_secret_access_key": creds["SecretAccessKey"],
        "aws_session_token": creds["SessionToken"],
    }
    return _client(target, service, keys)


def terraform_env(target: SandboxTarget) -> dict[str, str]:
    """The environment orgtf gives Terraform for sandbox runs, from this process's."""
    return target.terraform_env(os.environ)


def _operator_keys(target: SandboxTarget) -> dict[str, str]:
    return {
        "aws_access_key_id": target.operator.access_key_id,
        "aws_secret_access_key": target.operator.secret_access_key,
    }


def _client(target: SandboxTarget, service: str, keys: Mapping[str, str]) -> Any:
    return boto3.client(  # type: ignore[call-overload]
        service, endpoint_url=target.endpoint, region_name=target.region, **keys
    )
