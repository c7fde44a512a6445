"""``orgtf access`` and ``orgtf access diff``: who may assume what, and what a change alters."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from orgtf.access.diff import access_diff
from orgtf.access.format import FORMATS, format_diff, format_report
from orgtf.access.matrix import access_report
from orgtf.commands.base import Command, Context
from orgtf.config import Organization, load_organization, load_organization_text
from orgtf.errors import ConfigError, ExitCode, UsageError
from orgtf.gitrev import git_env, read_at_ref


class BaseConfigError(ConfigError):
    """The base version given to ``access diff`` is invalid (exit 3)."""

    def __init__(self, label: str, error: ConfigError) -> None:
        super().__init__(error.problems)
        self.label = label

    def render(self) -> str:
        return f"orgtf: error: the base configuration {self.label} is invalid:\n{super().render()}"


def configure(parser: argparse.ArgumentParser) -> None:
    """``access [--user U | --role A/R] [--format F]`` with the optional ``diff`` action."""
    parser.usage = (
        "%(prog)s [--user NAME | --role ACCOUNT/ROLE] [--format {text,json,markdown}]\n"
        "       %(prog)s diff (--base OLD_ORG_YAML | --base-ref GIT_REF) [--format ...] "
        "[--fail-on {grant-protected,grant}]"
    )
    who = parser.add_mutually_exclusive_group()
    who.add_argument("--user", metavar="NAME", help="only the roles this user may assume")
    who.add_argument("--role", metavar="ACCOUNT/ROLE", help="only the users who may assume it")
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format")
    # prog= keeps the custom usage above out of the sub-command's usage line.
    actions = parser.add_subparsers(
        dest="access_action", metavar="ACTION", parser_class=type(parser), prog=parser.prog
    )
    diff = actions.add_parser(
        "diff",
        help="the access changes between an older org.yaml and the current one",
        description="Show access granted and revoked, roles added or removed and other "
        "changes a reviewer cares about, between a base org.yaml and --config.",
    )
    base = diff.add_mutually_exclusive_group(required=True)
    base.add_argument("--base", type=Path, metavar="OLD_ORG_YAML", help="the older org.yaml")
    base.add_argument("--base-ref", metavar="GIT_REF", help="org.yaml at this git revision")
    # No default here, so `access --format json diff` keeps the format given before `diff`.
    diff.add_argument(
        "--format", choices=FORMATS, default=argparse.SUPPRESS, help="output format (default: text)"
    )
    diff.add_argument(
        "--fail-on",
        choices=("grant-protected", "grant"),
        help="exit 1 when a user gains access (in a protected account, or anywhere)",
    )
    diff.set_defaults(handler=diff_handler)


def access_handler(args: argparse.Namespace, ctx: Context) -> int:
    """Print the user x role matrix, or the part for one user or role."""
    report = access_report(ctx.load(), user=args.user, role=args.role)
    sys.stdout.write(format_report(report, args.format))
    return int(ExitCode.OK)


def diff_handler(args: argparse.Namespace, ctx: Context) -> int:
    """Print the semantic diff; with --fail-on, exit 1 when the change grants access."""
    if args.user is not None or args.role is not None:
        raise UsageError("--user and --role do not apply to 'access diff'")
    new = ctx.load()
    base, label = _load_base(args, ctx)
    diff = access_diff(base, new, base_label=label)
    sys.stdout.write(format_diff(diff, args.format))
    if args.fail_on is None:
        return int(ExitCode.OK)
    protected_only = args.fail_on == "grant-protected"
    gained = diff.granted(protected_only=protected_only)
    broad = diff.policies_granted(protected_only=protected_only)
    if not gained and not broad:
        return int(ExitCode.OK)
    where = " in protected accounts" if protected_only else ""
    through = f", {len(broad)} through group policies" if broad else ""
    print(
        f"orgtf: access diff: {len(gained) + len(broad)} access grant(s){where}{through} "
        f"(--fail-on {args.fail_on})",
        file=sys.stderr,
    )
    return int(ExitCode.FAILURE)


def _load_base(args: argparse.Namespace, ctx: Context) -> tuple[Organization, str]:
    if args.base is not None:
        label = str(args.base)
        if not args.base.is_file():
            problem = "is not a file" if args.base.exists() else "does not exist"
            raise UsageError(f"--base {label} {problem}")
        try:
            return load_organization(args.base), label
        except ConfigError as exc:
            raise BaseConfigError(label, exc) from None
    revision = read_at_ref(ctx.config_path, args.base_ref, env=git_env(os.environ))
    try:
        return load_organization_text(revision.text, Path(revision.label)), revision.label
    except ConfigError as exc:
        raise BaseConfigError(revision.label, exc) from None


COMMANDS = (
    Command(
        "access",
        "who may assume which role, from org.yaml alone ('access diff' compares two versions)",
        configure,
        access_handler,
    ),
)
