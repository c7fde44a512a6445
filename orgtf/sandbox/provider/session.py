"""boto3 clients for the configured provider: credentials, assume_role chaining, account checks.

Only credential sources that stay on this machine are used (arguments, environment, shared
files); the network-based ones (instance metadata, containers, SSO, profile role assumption)
are removed so nothing can reach real AWS behind the endpoint guard's back. Every client
ignores proxy settings and re-checks each request's final URL (see ``client_guard``). It retries
throttling, every 5xx answer (see ``client_retries``) and connection failures, ``max_retries``
times, and notes on a failed call's exception what it was (see ``send_errors``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import botocore.exceptions

from orgtf.sandbox.provider.errors import send_text_or_str
from orgtf.sandbox.provider.send_errors import track_failed_calls
from orgtf.sandbox.provider.settings import (
    SANDBOX_NOTICE,
    AssumeRole,
    ProviderSettings,
    SettingsError,
    require_endpoint,
    require_loopback,
)

if TYPE_CHECKING:
    from mypy_boto3_iam import IAMClient
    from mypy_boto3_sts import STSClient

_REMOTE_CREDENTIAL_SOURCES = (
    "iam-role",
    "container-role",
    "sso",
    "login",
    "assume-role",
    "assume-role-with-web-identity",
    "custom-process",
)
_DEFAULT_MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class Credentials:
    """A static credential set (from configuration or from STS AssumeRole)."""

    access_key: str
    secret_key: str
    token: str | None


@dataclass(frozen=True)
class Identity:
    """The caller identity resolved at configure time."""

    account_id: str
    arn: str
    user_id: str


@dataclass(frozen=True)
class AwsSession:
    """What resources use: clients bound to the emulator plus identity and default tags."""

    iam: IAMClient
    sts: STSClient
    identity: Identity | None
    default_tags: dict[str, str]
    partition: str = "aws"


def open_session(settings: ProviderSettings) -> AwsSession:
    """Build clients, assume roles in order and check the account; raise SettingsError."""
    iam_url = require_endpoint(settings.endpoints, "iam")
    sts_url = require_endpoint(settings.endpoints, "sts")
    creds = _base_credentials(settings)
    for role in settings.assume_roles:
        creds = _assume(_sts(settings, sts_url, creds), role)
    sts = _sts(settings, sts_url, creds)
    identity = _identity(settings, sts)
    if identity is not None:
        check_account(settings, identity.account_id)
    iam: IAMClient = _client("iam", settings, iam_url, creds)
    return AwsSession(iam=iam, sts=sts, identity=identity, default_tags=dict(settings.default_tags))


def check_account(settings: ProviderSettings, account_id: str) -> None:
    """Refuse an account outside allowed_account_ids or inside forbidden_account_ids."""
    allowed = settings.allowed_account_ids
    if (allowed and account_id not in allowed) or account_id in settings.forbidden_account_ids:
        raise SettingsError(
            "AWS account ID not allowed", f"AWS account ID not allowed: {account_id}"
        )


def _base_credentials(settings: ProviderSettings) -> Credentials:
    if settings.access_key and settings.secret_key:
        return Credentials(settings.access_key, settings.secret_key, settings.token)
    import botocore.session  # deferred: see _client

    core = botocore.session.Session(profile=settings.profile)
    resolver = core.get_component("credential_provider")
    for name in _REMOTE_CREDENTIAL_SOURCES:
        resolver.remove(name)
    try:
        found = core.get_credentials()
    except botocore.exceptions.BotoCoreError as exc:
        raise SettingsError("No valid credential sources found", str(exc)) from exc
    if found is None:
        raise SettingsError(
            "No valid credential sources found",
            "Set access_key/secret_key, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or a profile. "
            + SANDBOX_NOTICE,
        )
    frozen = found.get_frozen_credentials()
    if not frozen.access_key or not frozen.secret_key:
        raise SettingsError("No valid credential sources found", "incomplete credentials")
    return Credentials(frozen.access_key, frozen.secret_key, frozen.token)


def _client(service: str, settings: ProviderSettings, url: str, creds: Credentials) -> Any:
    # Imported here, not at module level: Terraform launches the provider several times per
    # command just to read its schema, and boto3 is most of the start-up time.
    import boto3

    from orgtf.sandbox.client_guard import client_config, guard_client
    from orgtf.sandbox.client_retries import retry_server_errors

    attempts = max_attempts(settings)
    config = client_config(
        # botocore's "max_attempts" counts retries; "total_max_attempts" counts every attempt.
        retries={"total_max_attempts": attempts, "mode": "standard"},
        connect_timeout=5,
        read_timeout=60,
    )
    client = boto3.session.Session().client(
        service,  # type: ignore[call-overload]
        region_name=settings.region,
        endpoint_url=require_loopback(service, url),  # already checked; cheap to be sure
        aws_access_key_id=creds.access_key,
        aws_secret_access_key=creds.secret_key,
        aws_session_token=creds.token,
        config=config,
    )
    return track_failed_calls(guard_client(retry_server_errors(client)), attempts)


def max_attempts(settings: ProviderSettings) -> int:
    """Attempts per call: ``max_retries`` + 1 as in hashicorp/aws, so 0 means a single try."""
    retries = _DEFAULT_MAX_ATTEMPTS - 1 if settings.max_retries is None else settings.max_retries
    return max(retries, 0) + 1


def _sts(settings: ProviderSettings, url: str, creds: Credentials) -> STSClient:
    client: STSClient = _client("sts", settings, url, creds)
    return client


def _assume(sts: STSClient, role: AssumeRole) -> Credentials:
    args: dict[str, Any] = {
        "RoleArn": role.role_arn,
        "RoleSessionName": role.session_name or f"orgtf-sandbox-{int(time.time())}",
    }
    optional: dict[str, Any] = {
        "ExternalId": role.external_id,
        "DurationSeconds": role.duration_seconds,
        "Policy": role.policy,
        "PolicyArns": [{"arn": a} for a in role.policy_arns] or None,
        "SourceIdentity": role.source_identity,
        "Tags": [{"Key": k, "Value": v} for k, v in sorted(role.tags.items())] or None,
        "TransitiveTagKeys": list(role.transitive_tag_keys) or None,
    }
    args.update({k: v for k, v in optional.items() if v is not None})
    try:
        out = sts.assume_role(**args)["Credentials"]
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
        raise SettingsError(
            "Cannot assume IAM Role",
            f"IAM Role ({role.role_arn}) cannot be assumed: {send_text_or_str(exc)}",
        ) from exc
    return Credentials(out["AccessKeyId"], out["SecretAccessKey"], out["SessionToken"])


def _identity(settings: ProviderSettings, sts: STSClient) -> Identity | None:
    if settings.skip_credentials_validation and settings.skip_requesting_account_id:
        return None
    try:
        out = sts.get_caller_identity()
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
        raise SettingsError(
            "Invalid provider configuration",
            "validating provider credentials: retrieving caller identity from STS: "
            + send_text_or_str(exc),
        ) from exc
    return Identity(account_id=out["Account"], arn=out["Arn"], user_id=out["UserId"])
