"""Provider settings: the provider block and the environment, resolved as the real provider does.

Precedence follows hashicorp/aws: a provider argument wins over its environment variable; an
``endpoints`` entry wins over ``AWS_ENDPOINT_URL_<SERVICE>``, which wins over
``AWS_ENDPOINT_URL``. Every configured endpoint must be a loopback address: this provider is the
orgtf sandbox stand-in and must never reach real AWS.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from orgtf.sandbox.loopback import (
    WHAT_IS_LOOPBACK,
    NotLoopbackError,
    loopback_url,
)
from orgtf.sandbox.provider.endpoint_keys import SERVICE_ALIASES, SERVICE_ENV_SUFFIX
from orgtf.sandbox.provider.framework import Unknown

SANDBOX_NOTICE = (
    "This is the orgtf sandbox stand-in for registry.terraform.io/hashicorp/aws. It only talks "
    "to a local AWS emulator and is never for real AWS."
)
_DURATION = re.compile(r"(\d+(?:\.\d+)?)(h|m|s)")


class SettingsError(ValueError):
    """A provider configuration the stand-in refuses; ``summary`` is the diagnostic title."""

    def __init__(self, summary: str, detail: str) -> None:
        super().__init__(f"{summary}: {detail}")
        self.summary = summary
        self.detail = detail


@dataclass(frozen=True)
class AssumeRole:
    """One ``assume_role`` block; several blocks are applied in order (role chaining)."""

    role_arn: str
    session_name: str | None = None
    external_id: str | None = None
    duration_seconds: int | None = None
    policy: str | None = None
    policy_arns: tuple[str, ...] = ()
    source_identity: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    transitive_tag_keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProviderSettings:
    """Everything needed to build clients, typed and validated."""

    region: str
    endpoints: Mapping[str, str]
    access_key: str | None = None
    secret_key: str | None = None
    token: str | None = None
    profile: str | None = None
    assume_roles: tuple[AssumeRole, ...] = ()
    allowed_account_ids: frozenset[str] = frozenset()
    forbidden_account_ids: frozenset[str] = frozenset()
    skip_credentials_validation: bool = False
    skip_requesting_account_id: bool = False
    max_retries: int | None = None
    default_tags: Mapping[str, str] = field(default_factory=dict)


def settings_from_config(config: Mapping[str, Any], env: Mapping[str, str]) -> ProviderSettings:
    """Resolve the provider block plus environment; raise SettingsError when it is unusable."""
    _reject_unknown(config)
    endpoints = resolve_endpoints(config.get("endpoints") or [], env)
    return ProviderSettings(
        region=_region(config, env),
        endpoints=endpoints,
        access_key=_first(config.get("access_key"), env.get("AWS_ACCESS_KEY_ID")),
        secret_key=_first(config.get("secret_key"), env.get("AWS_SECRET_ACCESS_KEY")),
        token=_first(config.get("token"), env.get("AWS_SESSION_TOKEN")),
        profile=_first(config.get("profile"), env.get("AWS_PROFILE")),
        assume_roles=tuple(_assume_role(b) for b in config.get("assume_role") or []),
        allowed_account_ids=frozenset(config.get("allowed_account_ids") or ()),
        forbidden_account_ids=frozenset(config.get("forbidden_account_ids") or ()),
        skip_credentials_validation=bool(config.get("skip_credentials_validation")),
        skip_requesting_account_id=bool(config.get("skip_requesting_account_id")),
        max_retries=_optional_int(config.get("max_retries")),
        default_tags=_default_tags(config.get("default_tags") or []),
    )


def resolve_endpoints(blocks: list[Mapping[str, Any]], env: Mapping[str, str]) -> dict[str, str]:
    """Endpoint per service we know, each checked to be loopback and rebuilt as scheme://host:port.

    Every configured URL is checked, also those of services the stand-in does not use.
    """
    configured = {
        k: require_loopback(k, v) for b in blocks for k, v in b.items() if isinstance(v, str) and v
    }
    env_urls = {
        k: require_loopback(k, v) for k, v in env.items() if k.startswith("AWS_ENDPOINT_URL") and v
    }
    resolved: dict[str, str] = {}
    for service, aliases in SERVICE_ALIASES.items():
        found = _first(
            *(configured.get(a) for a in aliases),
            env_urls.get(f"AWS_ENDPOINT_URL_{SERVICE_ENV_SUFFIX[service]}"),
            env_urls.get("AWS_ENDPOINT_URL"),
        )
        if found:
            resolved[service] = found
    return resolved


def require_endpoint(endpoints: Mapping[str, str], service: str) -> str:
    """The endpoint for ``service``; refuse when none is configured (it would be real AWS)."""
    url = endpoints.get(service)
    if not url:
        raise SettingsError(
            f"No endpoint configured for {service}",
            "Set endpoints { " + service + ' = "http://127.0.0.1:PORT" } in the provider block '
            f"or AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_{SERVICE_ENV_SUFFIX[service]}. "
            + SANDBOX_NOTICE,
        )
    return url


def require_loopback(source: str, url: str) -> str:
    """``url`` rebuilt as ``scheme://host:port``; raise SettingsError unless it is loopback."""
    try:
        return loopback_url(url)
    except NotLoopbackError as exc:
        raise SettingsError(
            "Refusing non-loopback AWS endpoint",
            f"{source} = {url!r} {exc}. Endpoints must be http(s)://HOST:PORT with HOST "
            f"{WHAT_IS_LOOPBACK}. {SANDBOX_NOTICE}",
        ) from exc


def parse_duration(text: str) -> int:
    """Seconds in a Go duration string such as ``1h``, ``15m`` or ``1h30m``."""
    parts = _DURATION.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise SettingsError("Invalid assume_role duration", f"{text!r} is not a duration like 1h")
    scale = {"h": 3600, "m": 60, "s": 1}
    return int(sum(float(n) * scale[u] for n, u in parts))


def _reject_unknown(config: Mapping[str, Any]) -> None:
    for key, value in config.items():
        if value is Unknown:
            raise SettingsError(
                "Provider configuration value is not known",
                f"{key} depends on a value known only after apply; the provider needs it now.",
            )


def _region(config: Mapping[str, Any], env: Mapping[str, str]) -> str:
    region = _first(config.get("region"), env.get("AWS_REGION"), env.get("AWS_DEFAULT_REGION"))
    if region is None:
        raise SettingsError(
            "Missing region value",
            "The region is not set: set region in the provider block, AWS_REGION or "
            "AWS_DEFAULT_REGION.",
        )
    return region


def _assume_role(block: Mapping[str, Any]) -> AssumeRole:
    role_arn = block.get("role_arn")
    if not role_arn:
        raise SettingsError(
            "Invalid assume_role block", "assume_role.role_arn is required to assume a role."
        )
    duration = block.get("duration")
    return AssumeRole(
        role_arn=str(role_arn),
        session_name=block.get("session_name") or None,
        external_id=block.get("external_id") or None,
        duration_seconds=parse_duration(duration) if duration else None,
        policy=block.get("policy") or None,
        policy_arns=tuple(sorted(block.get("policy_arns") or ())),
        source_identity=block.get("source_identity") or None,
        tags=dict(block.get("tags") or {}),
        transitive_tag_keys=tuple(sorted(block.get("transitive_tag_keys") or ())),
    )


def _default_tags(blocks: list[Mapping[str, Any]]) -> dict[str, str]:
    tags: dict[str, str] = {}
    for block in blocks:
        tags.update(block.get("tags") or {})
    return tags


def _first(*values: object) -> str | None:
    return next((str(v) for v in values if v), None)


def _optional_int(value: object) -> int | None:
    return int(value) if isinstance(value, int | float) else None
