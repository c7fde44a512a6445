"""``orgtf access``, ``access diff`` and ``access verify``: who may assume what, what a change
alters, and whether the live IAM allows exactly that."""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from orgtf.access.diff import access_diff
from orgtf.access.format import FORMATS, format_diff, format_report
from orgtf.access.matrix import access_report
from orgtf.access.verify import verify_access
from orgtf.access.verify_format import format_verify, summary
from orgtf.commands.base import Command, Context
from orgtf.config import Organization, load_organization, load_organization_text
from orgtf.errors import ConfigError, ExitCode, UsageError
from orgtf.gitrev import git_env, read_at_ref
from orgtf.live.connect import connect
from orgtf.live.read import read_organization
from orgtf.text import plural

AccessFormat = Literal["text", "json", "markdown"]
FailOn = Literal["grant-protected", "grant"]


class BaseConfigError(ConfigError):
    """The base version given to ``access diff`` is invalid (exit 3)."""

    def __init__(self, label: str, error: ConfigError) -> None:
        super().__init__(error.problems)
        self.label = label

    def render(self) -> str:
        return f"orgtf: error: the base configuration {self.label} is invalid:\n{super().render()}"


ACCESS_USAGE = (
    "%(prog)s [--user NAME | --role ACCOUNT/ROLE] [--format {text,json,markdown}]\n"
    "       %(prog)s diff (--base OLD_ORG_YAML | --base-ref GIT_REF) [--format ...] "
    "[--fail-on {grant-protected,grant}]\n"
    "       %(prog)s verify [--format ...]"
)


@dataclass(frozen=True)
class AccessOptions:
    """``access [--user U | --role A/R] [--format F]``."""

    user: str | None
    role: str | None
    format: AccessFormat

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> AccessOptions:
        return cls(user=args.user, role=args.role, format=args.format)


@dataclass(frozen=True)
class DiffOptions:
    """``access diff (--base FILE | --base-ref REF) [--format F] [--fail-on WHAT]``."""

    base: Path | None
    base_ref: str | None
    format: AccessFormat
    fail_on: FailOn | None

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> DiffOptions:
        if args.user is not None or args.role is not None:
            raise UsageError("--user and --role do not apply to 'access diff'")
        return cls(
            base=args.base,
            base_ref=args.base_ref,
            format=args.format,
            fail_on=args.fail_on,
        )


@dataclass(frozen=True)
class VerifyOptions:
    """``access verify [--format F]``."""

    format: AccessFormat

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> VerifyOptions:
        if args.user is not None or args.role is not None:
            raise UsageError("--user and --role do not apply to 'access verify'")
        return cls(format=args.format)


def configure(parser: argparse.ArgumentParser) -> None:
    """``access [--user U | --role A/R] [--format F]``."""
    who = parser.add_mutually_exclusive_group()
    who.add_argument("--user", metavar="NAME", help="only the roles this user may assume")
    who.add_argument("--role", metavar="ACCOUNT/ROLE", help="only the users who may assume it")
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format")


def _configure_diff(parser: argparse.ArgumentParser) -> None:
    base = parser.add_mutually_exclusive_group(required=True)
    base.add_argument("--base", type=Path, metavar="OLD_ORG_YAML", help="the older org.yaml")
    base.add_argument("--base-ref", metavar="GIT_REF", help="org.yaml at this git revision")
    # No default here, so `access --format json diff` keeps the format given before `diff`.
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default=argparse.SUPPRESS,
        help="output format (default: text)",
    )
    parser.add_argument(
        "--fail-on",
        choices=("grant-protected", "grant"),
        help="exit 1 when a user gains access (in a protected account, or anywhere)",
    )


def _configure_verify(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default=argparse.SUPPRESS,  # as for diff: keeps a --format given before `verify`
        help="output format (default: text)",
    )


def access_handler(options: AccessOptions, ctx: Context) -> ExitCode:
    """Print the user x role matrix, or the part for one user or role."""
    report = access_report(ctx.load(), user=options.user, role=options.role)
    sys.stdout.write(format_report(report, options.format))
    return ExitCode.OK


def diff_handler(options: DiffOptions, ctx: Context) -> ExitCode:
    """Print the semantic diff; with --fail-on, exit 1 when the change grants access."""
    new = ctx.load()
    base, label = _load_base(options, ctx)
    diff = access_diff(base, new, base_label=label)
    sys.stdout.write(format_diff(diff, options.format))
    if options.fail_on is None:
        return ExitCode.OK
    protected_only = options.fail_on == "grant-protected"
    gained = diff.granted(protected_only=protected_only)
    broad = diff.policies_granted(protected_only=protected_only)
    if not gained and not broad:
        return ExitCode.OK
    where = " in protected accounts" if protected_only else ""
    through = f", {len(broad)} through group policies" if broad else ""
    print(
        f"orgtf: access diff: {plural(len(gained) + len(broad), 'access grant')}{where}{through} "
        f"(--fail-on {options.fail_on})",
        file=sys.stderr,
    )
    return ExitCode.FAILURE


def verify_handler(options: VerifyOptions, ctx: Context) -> ExitCode:
    """Read every account's IAM and compare it with org.yaml; exit 2 when they differ."""
    org = ctx.load_iam("orgtf access verify")
    live = read_organization(org, connect(org, sandbox=ctx.sandbox, environ=os.environ))
    report = verify_access(org, live.accounts, source=live.where, skip=(live.caller,))
    sys.stdout.write(format_verify(report, options.format))
    if not report.differs:
        return ExitCode.OK
    print(f"orgtf: access verify: {summary(report)}", file=sys.stderr)
    return ExitCode.CHANGES


def _load_base(options: DiffOptions, ctx: Context) -> tuple[Organization, str]:
    if options.base is not None:
        label = str(options.base)
        if not options.base.is_file():
            problem = "is not a file" if options.base.exists() else "does not exist"
            raise UsageError(f"--base {label} {problem}")
        try:
            return load_organization(options.base), label
        except ConfigError as exc:
            raise BaseConfigError(label, exc) from None
    assert options.base_ref is not None  # argparse requires --base or --base-ref
    revision = read_at_ref(ctx.config_path, options.base_ref, env=git_env(os.environ))
    try:
        return load_organization_text(revision.text, Path(revision.label)), revision.label
    except ConfigError as exc:
        raise BaseConfigError(revision.label, exc) from None


COMMANDS = (
    Command(
        "access",
        "who may assume which role, from org.yaml alone ('access diff' compares two versions, "
        "'access verify' checks the live IAM)",
        configure,
        AccessOptions.from_args,
        access_handler,
        actions=(
            Command(
                "diff",
                "the access changes between an older org.yaml and the current one",
                _configure_diff,
                DiffOptions.from_args,
                diff_handler,
            ),
            Command(
                "verify",
                "compare the access the live IAM allows with org.yaml (exit 2 when they differ)",
                _configure_verify,
                VerifyOptions.from_args,
                verify_handler,
            ),
        ),
        usage=ACCESS_USAGE,
    ),
)
