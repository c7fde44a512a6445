"""``~/.aws/config`` profiles for the roles a user may assume, and their safe merge into a file.

``--write`` only ever replaces the block between the orgtf markers for the organization;
every other byte of the file is kept. A backup is written and the file is replaced atomically.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from orgtf.access.matrix import check_user
from orgtf.config import Organization
from orgtf.config.organization import iam_arn
from orgtf.errors import OrgtfError, UsageError
from orgtf.files import write_atomic

TEMPLATE_FIELDS = ("account", "role", "user", "account_id")
PROFILE_NAME = re.compile(r"^[A-Za-z0-9_.@+=,/-]+$")
BEGIN = "# BEGIN orgtf managed profiles"
END = "# END orgtf managed profiles"
_BEGIN_LINE = re.compile(r"^# BEGIN orgtf managed profiles \(organization ([^,)\s]+)")
_PROFILE_SECTION = re.compile(r"^\s*\[\s*profile\s+(.+?)\s*\]")
PROTECTED_COLOR = "d13212"  # red in the console header for protected accounts


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
class ProfileSet:
    """The profiles of one user of one organization, sorted by name."""

    organization: str
    user: str
    profiles: tuple[Profile, ...]


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
            mfa_serial=mfa_serial if role.require_mfa else None,
            duration_seconds=session if session > 3600 else None,
            protected=account.protected,
        )
    return ProfileSet(org.name, user, tuple(sorted(profiles.values())))


def begin_marker(profiles: ProfileSet) -> str:
    return f"{BEGIN} (organization {profiles.organization}, user {profiles.user}) -- do not edit"


def render_aws_config(profiles: ProfileSet) -> str:
    """The orgtf-managed block of ``~/.aws/config``, markers included."""
    lines = [
        begin_marker(profiles),
        "# Generated by orgtf from org.yaml; `orgtf profiles --write` replaces this block.",
    ]
    if not profiles.profiles:
        lines.append(f"# {profiles.user} may assume no role in {profiles.organization}")
    for index, p in enumerate(profiles.profiles):
        lines += [""] if index else []
        lines += [f"[profile {p.name}]", f"role_arn = {p.role_arn}"]
        lines.append(f"source_profile = {p.source_profile}")
        lines += [f"mfa_serial = {p.mfa_serial}"] if p.mfa_serial else []
        lines += [f"duration_seconds = {p.duration_seconds}"] if p.duration_seconds else []
        lines += [f"role_session_name = {p.role_session_name}", f"region = {p.region}"]
    lines.append(f"{END} (organization {profiles.organization})")
    return "\n".join(lines) + "\n"


def render_extend_switch_roles(profiles: ProfileSet) -> str:
    """The configuration text of the AWS Extend Switch Roles browser extension."""
    lines = [
        f"; AWS Extend Switch Roles: roles of {profiles.user} in organization "
        f"{profiles.organization} (generated by orgtf)"
    ]
    for p in profiles.profiles:
        lines += ["", f"[{p.name}]", f"aws_account_id = {p.account_id}"]
        lines += [f"role_name = {p.role_name}", f"region = {p.region}"]
        lines += [f"color = {PROTECTED_COLOR}"] if p.protected else []
    return "\n".join(lines) + "\n"


# --- merging into an existing file --------------------------------------------------------

WriteStatus = Literal["created", "updated", "unchanged"]


@dataclass(frozen=True)
class WriteResult:
    """What ``write_profiles`` did to ``path``."""

    path: Path
    status: WriteStatus
    backup: Path | None


class ProfileConflictError(OrgtfError):
    """Profiles outside the managed block already use generated names (exit 1)."""


def merge_block(existing: str, profiles: ProfileSet, *, where: str) -> str:
    """``existing`` with the organization's managed block replaced (or appended)."""
    lines = _split_lines(existing)
    span = _managed_span(lines, profiles.organization, where)
    outside = list(lines)
    if span is not None:  # blank the block out, keeping line numbers for messages
        outside[span[0] : span[1]] = [""] * (span[1] - span[0])
    _check_conflicts(outside, profiles, where)
    newline = "\r\n" if existing.count("\r\n") * 2 > existing.count("\n") else "\n"
    block = render_aws_config(profiles).replace("\n", newline)
    if span is not None:
        return "".join(lines[: span[0]]) + block + "".join(lines[span[1] :])
    head = existing
    if head and not head.endswith("\n"):
        head += newline
    if lines and lines[-1].strip():  # a blank line between the last section and the block
        head += newline
    return head + block


def _split_lines(text: str) -> list[str]:
    """Lines with their endings; only ``\\n`` ends a line, as in the AWS CLI's parser."""
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    return [*lines, parts[-1]] if parts[-1] else lines


def _managed_span(lines: list[str], organization: str, where: str) -> tuple[int, int] | None:
    """The [start, end) line range of the organization's block; malformed markers are errors."""
    spans: dict[str, list[tuple[int, int]]] = {}
    start: tuple[int, str] | None = None
    for index, line in enumerate(lines):
        text = line.rstrip("\r\n")
        if text.startswith(BEGIN):
            found = _BEGIN_LINE.match(text)
            if start is not None or found is None:
                raise OrgtfError(f"{where}:{index + 1}: unexpected or malformed orgtf BEGIN marker")
            start = (index, found.group(1))
        elif text.startswith(END):
            if start is None:
                raise OrgtfError(f"{where}:{index + 1}: orgtf END marker without a BEGIN marker")
            spans.setdefault(start[1], []).append((start[0], index + 1))
            start = None
    if start is not None:
        raise OrgtfError(f"{where}:{start[0] + 1}: orgtf BEGIN marker without an END marker")
    ours = spans.get(organization, [])
    if len(ours) > 1:
        lines_at = ", ".join(str(s + 1) for s, _ in ours)
        raise OrgtfError(f"{where}: several orgtf blocks for {organization} (lines {lines_at})")
    return ours[0] if ours else None


def _check_conflicts(lines: list[str], profiles: ProfileSet, where: str) -> None:
    wanted = {p.name for p in profiles.profiles}
    clashes = []
    for index, line in enumerate(lines):
        found = _PROFILE_SECTION.match(line)
        if found is not None and found.group(1).strip("\"'") in wanted:
            clashes.append(f"  {where}:{index + 1}: {line.strip()}")
    if clashes:
        raise ProfileConflictError(
            "profiles outside the orgtf block already use generated names; rename them or use "
            "--name-template (nothing written):\n" + "\n".join(clashes)
        )


def write_profiles(path: Path, profiles: ProfileSet) -> WriteResult:
    """Merge ``profiles`` into the config file at ``path`` (created 0600 if missing)."""
    target = path.resolve() if path.is_symlink() else path
    try:
        old = target.read_bytes() if target.exists() else None
    except OSError as exc:
        raise OrgtfError(f"cannot read {path}: {exc.strerror or exc}") from None
    existing = old.decode("utf-8", errors="surrogateescape") if old is not None else ""
    new = merge_block(existing, profiles, where=str(path)).encode("utf-8", "surrogateescape")
    if new == old:
        return WriteResult(path, "unchanged", None)
    try:
        if old is None:
            target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            write_atomic(target, new, mode=0o600, fsync=True)
            return WriteResult(path, "created", None)
        mode = target.stat().st_mode & 0o7777
        backup = target.with_name(target.name + ".orgtf-backup")
        write_atomic(backup, old, mode=mode, fsync=True)
        write_atomic(target, new, mode=mode, fsync=True)
    except OSError as exc:
        raise OrgtfError(f"cannot write {path}: {exc.strerror or exc}") from None
    return WriteResult(path, "updated", backup)
