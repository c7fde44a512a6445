"""A user's profiles: one per role the user may assume, named by a safe template.

What they look like as text, and how they are merged into a file, is ``awsconfig``.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass

from orgtf.access.matrix import check_user
from orgtf.config import Organization
from orgtf.config.organization import iam_arn
from orgtf.errors import UsageError

TEMPLATE_FIELDS = ("account", "role", "user", "account_id")
PROFILE_NAME = re.compile(r"^[A-Za-z0-9_.@+=,/-]+$")


@dataclass(frozen=True, order=True)
class Profile:
    """One assume-role profile."""

    name: str
    account: str
    account_id: str
    role: str
    role_name: str  # with the role's path, as the console's switch-role form takes it
    role_arn: str
    source_profile: str
    region: str
    role_session_name: str
    mfa_serial: str | None
    duration_seconds: int | None
    protected: bool


@dataclass(frozen=True)
class SsoSession:
    """The AWS CLI v2 ``[sso-session]`` that Identity Center profiles sign in through."""

    name: str
    start_url: str
    region: str


@dataclass(frozen=True)
class ProfileSet:
    """The profiles of one user of one organization, sorted by name.

    With ``sso`` (organization.identity: identity_center) each profile signs in through it
    and takes its permission set (``role``) in its account; otherwise it assumes its role.
    """

    organization: str
    user: str
    profiles: tuple[Profile, ...]
    sso: SsoSession | None = None


def check_profile_name(name: str, what: str) -> str:
    """``name`` if it can be an AWS config profile name; otherwise a UsageError."""
    if not PROFILE_NAME.fullmatch(name) or name == "default":
        raise UsageError(
            f"{what} {name!r} is not a valid profile name: use letters, digits and _.@+=,/- "
            "(and not 'default')"
        )
    return name


def check_template(template: str) -> str:
    """``template`` if its fields are plain TEMPLATE_FIELDS: no lookups, ``!r`` or ``:spec``."""
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise UsageError(f"invalid --name-template {template!r}: {exc}") from None
    for _, field, spec, conversion in parts:
        problem = ""
        if field is not None and field not in TEMPLATE_FIELDS:
            names = ", ".join(f"{{{f}}}" for f in TEMPLATE_FIELDS)
            problem = f"unknown field {{{field}}}; use {names}"
        elif conversion is not None or spec:
            problem = f"conversions (!) and format specs (:) are not supported; write {{{field}}}"
        if problem:
            raise UsageError(f"invalid --name-template {template!r}: {problem}")
    return template


def expand_template(template: str, values: Mapping[str, str]) -> str:
    """A checked ``template`` with its fields replaced by ``values``; nothing is evaluated."""
    parts = string.Formatter().parse(template)
    return "".join(text + (values[field] if field else "") for text, field, _, _ in parts)


def default_profile_name(account: str, role: str) -> str:
    """The profile name used unless a template is given: ``<account>-<role>``, lower case."""
    return f"{account}-{role}".lower()


def build_profiles(
    org: Organization, user: str, *, source_profile: str = "default", name_template: str | None
) -> ProfileSet:
    """The profiles for every role ``user`` may assume (names checked, no duplicates)."""
    check_user(org, user)
    if source_profile != "default":
        check_profile_name(source_profile, "--source-profile")
    template = check_template(name_template) if name_template is not None else None
    mfa_serial = iam_arn(org.master.id, "mfa", "/", user)
    profiles: dict[str, Profile] = {}
    for ref in org.user_roles(org.config.users[user]):
        role, account = org.config.roles[ref.role], org.account(ref.account)
        session = role.max_session_duration
        fields = {"account": ref.account, "role": ref.role, "user": user, "account_id": account.id}
        default = default_profile_name(ref.account, ref.role)
        name = expand_template(template, fields) if template else default
        check_profile_name(name, f"the name generated for {ref},")
        if name == source_profile:
            raise UsageError(f"the profile name for {ref} is the source profile {name!r}")
        if name in profiles:
            other = profiles[name]
            raise UsageError(
                f"profile name {name!r} is generated for both {other.account}/{other.role} "
                f"and {ref}; use a --name-template with {{account}} and {{role}}"
            )
        profiles[name] = Profile(
            name=name,
            account=ref.account,
            account_id=account.id,
            role=ref.role,
            role_name=role.path.lstrip("/") + ref.role,
            role_arn=org.role_arn(ref),
            source_profile=source_profile,
            region=org.config.organization.region,
            role_session_name=user,
            mfa_serial=mfa_serial if org.requires_mfa(ref) else None,
            duration_seconds=session if session > 3600 else None,
            protected=account.protected,
        )
    return ProfileSet(org.name, user, tuple(sorted(profiles.values())), _sso(org))


def _sso(org: Organization) -> SsoSession | None:
    settings = org.config.organization
    if not org.identity_center or settings.sso_start_url is None:
        return None
    return SsoSession(org.name, settings.sso_start_url, settings.region)
