"""Checks of the users' lifecycle settings: console passwords, PGP keys, the self-service group.

A ``pgp_key`` is what the AWS provider's ``aws_iam_user_login_profile`` takes: the base64 of a
binary (not ASCII-armoured) OpenPGP public key, such as ``gpg --export KEY | base64 -w0``.
orgtf reads only its first packet header, offline: enough to refuse text that is not base64,
an armoured key, a secret key or something else. ``keybase:NAME`` is refused: it would make
Terraform fetch the key from keybase.io at apply time, which neither the sandbox nor a
reviewer of org.yaml can check.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator

from orgtf.config.findings import Finding
from orgtf.config.model import OrgConfig
from orgtf.config.policy import GROUP_INLINE_SIZE, policy_size
from orgtf.config.self_service import SELF_SERVICE_GROUP, config_self_service_document

KEYBASE_PREFIX = "keybase:"
PUBLIC_KEY_TAG = 6
SECRET_KEY_TAGS = frozenset({5, 7})
KEY_VERSIONS = frozenset({3, 4, 5, 6})
CHANGE_PASSWORD_POLICY = "arn:aws:iam::aws:policy/IAMUserChangePassword"
_EXPORT_HINT = "give the base64 of a binary public key, e.g. `gpg --export KEY | base64 -w0`"


def check_users(config: OrgConfig) -> Iterator[Finding]:
    """PGP keys that are not public keys, the self-service group's name, quota and size."""
    for name, user in config.users.items():
        if user.pgp_key is not None:
            problem = pgp_key_problem(user.pgp_key)
            if problem is not None:
                yield Finding(("users", name, "pgp_key"), problem)
            elif not user.console:
                yield Finding(
                    ("users", name, "pgp_key"),
                    f"user {name!r} has a pgp_key but no console password (console: true); "
                    "the key is not used",
                    severity="warning",
                )
    if config.organization.self_service:
        yield from _check_self_service(config)
    else:
        yield from _console_without_self_service(config)


def pgp_key_problem(text: str) -> str | None:
    """Why ``text`` is not the base64 of an OpenPGP public key, or None when it looks like one."""
    if text.startswith(KEYBASE_PREFIX):
        return (
            "keybase: keys are not supported: Terraform would fetch the key from keybase.io "
            f"when it applies, unchecked and out of reach offline; {_EXPORT_HINT} "
            "(`keybase pgp export -q KEY | gpg --dearmor | base64 -w0`)"
        )
    try:
        data = base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        return f"pgp_key is not base64; {_EXPORT_HINT}"
    if data.lstrip().startswith(b"-----BEGIN PGP"):
        return f"pgp_key is an ASCII-armoured key; {_EXPORT_HINT}"
    return _packet_problem(data)


def _packet_problem(data: bytes) -> str | None:
    """The first OpenPGP packet (RFC 4880 section 4.2) must be a public key of a known version."""
    if len(data) < 3 or not data[0] & 0x80:
        return f"pgp_key does not start with an OpenPGP packet; {_EXPORT_HINT}"
    header = data[0]
    new_format = bool(header & 0x40)
    tag = header & 0x3F if new_format else (header >> 2) & 0x0F
    if tag in SECRET_KEY_TAGS:
        return "pgp_key is a secret key: never put it in org.yaml; give the public key instead"
    if tag != PUBLIC_KEY_TAG:
        return f"pgp_key is an OpenPGP packet of type {tag}, not a public key; {_EXPORT_HINT}"
    version = data[_body_offset(data, new_format)] if len(data) > 6 else None
    if version not in KEY_VERSIONS:
        return f"pgp_key is not an OpenPGP public key of a known version; {_EXPORT_HINT}"
    return None


def _body_offset(data: bytes, new_format: bool) -> int:
    """Where the first packet's body starts: after its tag and length octets."""
    if new_format:
        first = data[1]
        return 2 if first < 192 else 3 if first < 224 else 6
    return 1 + {0: 1, 1: 2, 2: 4, 3: 0}[data[0] & 0x03]


def _check_self_service(config: OrgConfig) -> Iterator[Finding]:
    if SELF_SERVICE_GROUP in config.groups:
        yield Finding(
            ("groups", SELF_SERVICE_GROUP),
            f"group name {SELF_SERVICE_GROUP!r} is orgtf's self-service group "
            "(organization.self_service); pick another name",
            at_key=True,
        )
    limits = config.limits
    for name, user in config.users.items():
        if len(set(user.groups)) == limits.groups_per_user:
            yield Finding(
                ("users", name, "groups"),
                f"user {name!r} is in {limits.groups_per_user} groups and in "
                f"{SELF_SERVICE_GROUP!r} (organization.self_service); IAM allows "
                f"{limits.groups_per_user} per user",
            )
    if len(config.groups) == limits.groups_per_account:
        yield Finding(
            ("groups",),
            f"{len(config.groups):,} groups and {SELF_SERVICE_GROUP!r} "
            f"(organization.self_service): over the quota of {limits.groups_per_account:,} "
            "groups per account (raise limits.groups_per_account if your quota is higher)",
            True,
        )
    if config.organization.master_account in config.accounts:
        size = policy_size(config_self_service_document(config))
        if size > GROUP_INLINE_SIZE:
            yield Finding(
                ("organization", "self_service"),
                f"the self-service policy names each user path and is {size:,} characters "
                f"(whitespace excluded); IAM allows {GROUP_INLINE_SIZE:,} for a group's inline "
                "policies: use fewer distinct user paths",
            )


def _console_without_self_service(config: OrgConfig) -> Iterator[Finding]:
    """A console user must reset their password at first sign-in: that needs ChangePassword."""
    for name, user in config.users.items():
        groups = [config.groups[g] for g in user.groups if g in config.groups]
        allowed = any(CHANGE_PASSWORD_POLICY in g.managed_policy_arns for g in groups)
        if user.console and not allowed:
            yield Finding(
                ("users", name, "console"),
                f"user {name!r} must change their password at first sign-in, which needs "
                "iam:ChangePassword: with organization.self_service false, attach "
                f"{CHANGE_PASSWORD_POLICY} to one of their groups",
                severity="warning",
            )
