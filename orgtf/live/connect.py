"""Reaching the organization's accounts, on real AWS or in the sandbox, the way Terraform does.

The master account with the caller's own credentials; every other account by assuming
``organization.access_role`` from the master, as the rendered provider's ``assume_role``
block does. On real AWS the credentials come from boto3's default chain (environment,
``AWS_PROFILE``, SSO, instance roles); in the sandbox from its operator user, and every
client stays on loopback (``orgtf.sandbox.client_guard``) and retries the emulator's server
errors as the provider does (``orgtf.sandbox.client_retries``).

Why not ``orgtf.run.targets``: a run target brings a Terraform binary, a tree and backend
settings, none of which reading IAM needs (real AWS would then demand Terraform installed).
The same ``--sandbox`` flag chooses here, and a sandbox that is not running starts through
the same ``ensure_sandbox``.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orgtf.config import Organization
from orgtf.errors import OrgtfError

if TYPE_CHECKING:
    import boto3

    from orgtf.sandbox.target import SandboxTarget


@dataclass(frozen=True)
class Credentials:
    """Temporary credentials from ``sts:AssumeRole``."""

    access_key_id: str
    secret_access_key: str = field(repr=False)
    session_token: str = field(repr=False)


@dataclass(frozen=True)
class Caller:
    """Who the master credentials are: ``arn`` as STS names it (a role's is its session's)."""

    account: str
    arn: str


class Connection:
    """boto3 clients for the master and, through the access role, for the other accounts.

    Safe to use from several threads: clients are made one at a time from one session.
    """

    def __init__(
        self,
        session: boto3.Session,
        *,
        endpoint: str | None,
        label: str,
        member_ids: Mapping[str, str] | None = None,
    ) -> None:
        self._session = session
        # The sandbox's Organizations API numbers members its own way: its id -> IAM's id.
        self.member_ids = dict(member_ids or {})
        self._endpoint = endpoint
        self._lock = threading.Lock()
        self._sts: Any = None  # the master's STS client, made once: clients are thread-safe
        self.label = label  # "AWS" or "the sandbox at http://127.0.0.1:PORT"

    def client(self, service: str, credentials: Credentials | None = None) -> Any:
        """A client of ``service``: the master's, or with ``credentials`` when given."""
        keys = {}
        if credentials is not None:
            keys = {
                "aws_access_key_id": credentials.access_key_id,
                "aws_secret_access_key": credentials.secret_access_key,
                "aws_session_token": credentials.session_token,
            }
        with self._lock:
            if self._endpoint is None:
                return self._session.client(service, config=_aws_config(), **keys)  # type: ignore[call-overload]
            return _sandbox_client(self._session, service, self._endpoint, keys)

    def caller(self) -> Caller:
        """``sts:GetCallerIdentity`` of the master credentials."""
        found = self._master_sts().get_caller_identity()
        return Caller(str(found["Account"]), str(found["Arn"]))

    def assume(self, role_arn: str, session_name: str) -> Credentials:
        """Credentials of ``role_arn``, assumed with the master credentials."""
        found = self._master_sts().assume_role(RoleArn=role_arn, RoleSessionName=session_name)
        keys = found["Credentials"]
        return Credentials(keys["AccessKeyId"], keys["SecretAccessKey"], keys["SessionToken"])

    def _master_sts(self) -> Any:
        if self._sts is None:
            self._sts = self.client("sts")
        return self._sts


def connect(org: Organization, *, sandbox: bool, environ: Mapping[str, str]) -> Connection:
    """The way into ``org``'s accounts: its sandbox (started if need be), or real AWS."""
    try:
        import boto3
    except ImportError as exc:
        raise OrgtfError(
            f"reading IAM needs boto3 ({exc.name or exc} is missing): pip install boto3"
        ) from None
    region = org.config.organization.region
    if not sandbox:
        return Connection(boto3.Session(region_name=region), endpoint=None, label="AWS")
    from orgtf.sandbox.runtime import ensure_sandbox, sandbox_status  # an optional extra

    # A running sandbox is read as it is: bootstrap would put back the access roles' trust
    # policies and the operator's policy, which is for verify to see, not to repair.
    project = org.path.resolve().parent
    target = sandbox_status(project) or ensure_sandbox(org, project, env=environ)
    return _sandbox_connection(target, region)


def connect_project(project: Path, region: str, *, sandbox: bool) -> Connection:
    """Like ``connect``, without an org.yaml: real AWS, or the project's running sandbox."""
    import boto3

    if not sandbox:
        return Connection(boto3.Session(region_name=region), endpoint=None, label="AWS")
    from orgtf.sandbox.runtime import sandbox_status

    target = sandbox_status(project)
    if target is None:
        raise OrgtfError(
            f"no sandbox is running for {project}: start it with orgtf sandbox up (it reads "
            "the accounts from an org.yaml), then import"
        )
    return _sandbox_connection(target, region)


def _sandbox_connection(target: SandboxTarget, region: str) -> Connection:
    import boto3

    from orgtf.sandbox.records import read_sandbox

    session = boto3.Session(
        aws_access_key_id=target.operator.access_key_id,
        aws_secret_access_key=target.operator.secret_access_key,
        region_name=region,
    )
    record = read_sandbox(target.state_dir)
    names = record.organization_member_ids if record is not None else {}
    member_ids = {names[n]: i for n, i in target.accounts.items() if n in names}
    label = f"the sandbox at {target.endpoint}"
    return Connection(session, endpoint=target.endpoint, label=label, member_ids=member_ids)


def session_name(account: str) -> str:
    """The role session name for ``account``, as the rendered provider names its sessions."""
    return f"orgtf-{account}"[:64]


def _aws_config() -> Any:
    import botocore.config

    # IAM throttles GetAccountAuthorizationDetails hard: retry more than boto3's default.
    retries: Any = {"mode": "standard", "max_attempts": 8}
    return botocore.config.Config(retries=retries, connect_timeout=10, read_timeout=60)


def _sandbox_client(
    session: boto3.Session, service: str, endpoint: str, keys: Mapping[str, str]
) -> Any:
    from orgtf.sandbox.client_guard import client_config, guard_client
    from orgtf.sandbox.client_retries import retry_server_errors
    from orgtf.sandbox.loopback import NotLoopbackError, loopback_url

    try:
        url = loopback_url(endpoint)
    except NotLoopbackError as exc:
        raise OrgtfError(f"refusing sandbox endpoint {endpoint!r}: it {exc}") from exc
    config = client_config(
        retries={"mode": "standard", "max_attempts": 4}, connect_timeout=5, read_timeout=60
    )
    client = session.client(service, endpoint_url=url, config=config, **keys)  # type: ignore[call-overload]
    return guard_client(retry_server_errors(client))
