"""``orgtf affected``: the accounts whose rendered root differs from a git revision's."""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from typing import get_args

from orgtf.commands.base import Command, Context
from orgtf.commands.common import positive_int
from orgtf.errors import ExitCode
from orgtf.gitrev import git_env
from orgtf.run.affected import find_affected
from orgtf.run.affected_format import AffectedFormat, format_affected
from orgtf.run.shards import split

FORMATS: tuple[AffectedFormat, ...] = get_args(AffectedFormat)


@dataclass(frozen=True)
class AffectedOptions:
    """``affected --base-ref REF [--format text|json|github-matrix] [--shards N]``."""

    base_ref: str
    format: AffectedFormat
    shards: int

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> AffectedOptions:
        return cls(base_ref=args.base_ref, format=args.format, shards=args.shards)


def configure(parser: argparse.ArgumentParser) -> None:
    """``affected --base-ref REF [--format F] [--shards N]``."""
    parser.add_argument(
        "--base-ref", required=True, metavar="GIT_REF", help="the git revision to compare with"
    )
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format")
    parser.add_argument(
        "--shards",
        type=positive_int,
        default=1,
        metavar="N",
        help="github-matrix: deal the accounts into at most N shard jobs (default 1)",
    )


def affected(options: AffectedOptions, ctx: Context) -> ExitCode:
    """Print the affected and removed accounts; exit 0 whether or not any are affected."""
    org = ctx.load()
    found = find_affected(org, options.base_ref, env=git_env(os.environ))
    accounts = found.accounts
    shards = split(org, accounts, min(options.shards, len(accounts))) if accounts else []
    sys.stdout.write(format_affected(found, options.format, shards, len(org.account_names())))
    return ExitCode.OK


COMMANDS = (
    Command(
        "affected",
        "the accounts whose rendered Terraform differs from a git revision's (for plan --affected)",
        configure,
        AffectedOptions.from_args,
        affected,
    ),
)
