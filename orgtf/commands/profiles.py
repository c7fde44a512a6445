"""``orgtf profiles``: AWS config profiles for the roles a user may assume."""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from orgtf.commands.base import Command, Context
from orgtf.errors import ExitCode, UsageError
from orgtf.profiles.awsconfig import (
    WriteResult,
    render_aws_config,
    render_extend_switch_roles,
    write_profiles,
)
from orgtf.profiles.build import ProfileSet, build_profiles
from orgtf.text import plural


def _path(text: str) -> Path:
    return Path(os.path.expanduser(text))


def configure(parser: argparse.ArgumentParser) -> None:
    """``profiles --user NAME [--source-profile P] [--name-template T] [--write PATH]``."""
    parser.add_argument("--user", required=True, metavar="NAME", help="the user in org.yaml")
    parser.add_argument(
        "--source-profile",
        default="default",
        metavar="PROFILE",
        help="the profile holding the user's own credentials (default: default)",
    )
    parser.add_argument(
        "--name-template",
        metavar="TEMPLATE",
        help="profile names from {account}, {role}, {user}, {account_id} "
        "(default: {account}-{role} in lower case)",
    )
    parser.add_argument(
        "--write",
        type=_path,
        metavar="PATH",
        help="merge into this AWS config file (e.g. ~/.aws/config), replacing only "
        "the orgtf-managed block; a backup is kept as PATH.orgtf-backup",
    )
    parser.add_argument(
        "--format",
        choices=("aws-config", "extend-switch-roles"),
        default="aws-config",
        help="~/.aws/config profiles, or the AWS Extend Switch Roles browser extension's "
        "configuration",
    )


ProfilesFormat = Literal["aws-config", "extend-switch-roles"]


@dataclass(frozen=True)
class ProfilesOptions:
    """``profiles --user NAME [--source-profile P] [--name-template T] [--write PATH]``."""

    user: str
    source_profile: str
    name_template: str | None
    write: Path | None
    format: ProfilesFormat

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> ProfilesOptions:
        if args.write is not None and args.format != "aws-config":
            raise UsageError("--write works only with --format aws-config")
        return cls(
            user=args.user,
            source_profile=args.source_profile,
            name_template=args.name_template,
            write=args.write,
            format=args.format,
        )


def profiles_handler(options: ProfilesOptions, ctx: Context) -> ExitCode:
    """Print the profiles, or merge them into the file given with --write."""
    profiles = build_profiles(
        ctx.load(),
        options.user,
        source_profile=options.source_profile,
        name_template=options.name_template,
    )
    if options.write is None:
        aws_config = options.format == "aws-config"
        render = render_aws_config if aws_config else render_extend_switch_roles
        sys.stdout.write(render(profiles))
        return ExitCode.OK
    print(_report(write_profiles(options.write, profiles), profiles))
    return ExitCode.OK


def _report(result: WriteResult, profiles: ProfileSet) -> str:
    count = f"{plural(len(profiles.profiles), 'profile')} for {profiles.user}"
    if result.status == "unchanged":
        head = f"{result.path} is up to date ({count}); nothing written"
    elif result.status == "created":
        head = f"created {result.path} with {count}"
    else:
        head = f"updated {result.path} with {count} (previous file kept as {result.backup})"
    names = [f"  {p.name}" + ("  (MFA)" if p.mfa_serial else "") for p in profiles.profiles]
    return "\n".join([head, *names])


COMMANDS = (
    Command(
        "profiles",
        "~/.aws/config profiles for every role a user may assume (print, or merge with --write)",
        configure,
        ProfilesOptions.from_args,
        profiles_handler,
    ),
)
