"""``orgtf import``: describe an existing organization in org.yaml and adopt it into state."""

from __future__ import annotations

import argparse
import os
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from orgtf.adoption.discover import ImportSettings, discover
from orgtf.adoption.found import FoundOrganization, Unmanaged
from orgtf.adoption.report import ImportReport, import_json, import_text
from orgtf.adoption.state import import_accounts
from orgtf.adoption.yaml_text import org_yaml_text
from orgtf.commands.base import Command, Context
from orgtf.commands.common import duration
from orgtf.config import Organization, load_organization, load_organization_text
from orgtf.errors import ConfigError, ExitCode, OrgtfError, UsageError
from orgtf.files import write_atomic
from orgtf.live.connect import connect_project
from orgtf.live.inventory import read_inventory
from orgtf.process import Supervisor
from orgtf.run.engine import Engine, default_parallelism
from orgtf.run.project_lock import project_lock
from orgtf.run.targets import select_target

ImportFormat = Literal["text", "json"]


@dataclass(frozen=True)
class ImportOptions:
    """``import [--force] [--account NAME]... [--name N] [--region R] [--access-role R]``."""

    force: bool
    accounts: tuple[str, ...]
    name: str | None
    region: str | None
    access_role: str | None
    format: ImportFormat
    lock_timeout: float

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> ImportOptions:
        return cls(
            force=args.force,
            accounts=tuple(args.account or ()),
            name=args.name,
            region=args.region,
            access_role=args.access_role,
            format=args.format,
            lock_timeout=args.lock_timeout,
        )


def _configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--force", action="store_true", help="replace an existing org.yaml with what AWS holds"
    )
    parser.add_argument(
        "--account",
        action="append",
        metavar="NAME",
        help="import only this account's state (repeatable; default: every account)",
    )
    parser.add_argument("--name", help="organization.name for a new org.yaml")
    parser.add_argument("--region", help="organization.region for a new org.yaml (us-east-1)")
    parser.add_argument(
        "--access-role",
        metavar="ROLE",
        help="the role in each account orgtf works through (OrganizationAccountAccessRole)",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument(
        "--lock-timeout",
        type=duration,
        default=0.0,
        metavar="DURATION",
        help="wait this long for another orgtf run on the project (default: do not wait)",
    )


def import_handler(options: ImportOptions, ctx: Context) -> ExitCode:
    """Write org.yaml from AWS (new, or with --force), then import every account's state."""
    path = ctx.config_path
    clock = time.monotonic()
    written, where = False, ""
    unmanaged: tuple[Unmanaged, ...] = ()
    unread: Mapping[str, str] = {}
    if path.exists() and not options.force:
        if not options.accounts:
            raise UsageError(
                f"{path} exists: `orgtf import --account NAME` brings what it describes in that "
                "account into the state, `orgtf import --force` rewrites it from AWS"
            )
        org = ctx.load()
    else:
        org, found_where, found = _write_org_yaml(options, ctx)
        written, where, unmanaged, unread = True, found_where, found.unmanaged, found.unread
    read_seconds = time.monotonic() - clock
    chosen = (
        org.select_accounts(list(options.accounts))
        if options.accounts
        else [a for a in org.account_names() if a not in dict(unread)]
    )
    clock = time.monotonic()
    target = select_target(org, ctx.sandbox, os.environ)
    engine = Engine(org, target, default_parallelism(len(chosen)), Supervisor())
    with project_lock(target.state_dir, "orgtf import", options.lock_timeout):
        results = import_accounts(engine, chosen)
    report = ImportReport(
        str(path),
        written,
        where,
        tuple(results),
        tuple(unmanaged),
        tuple(sorted(unread.items())),
        read_seconds,
        time.monotonic() - clock,
    )
    print(import_json(report) if options.format == "json" else import_text(report))
    return ExitCode.OK if report.ok else ExitCode.FAILURE


def _write_org_yaml(
    options: ImportOptions, ctx: Context
) -> tuple[Organization, str, FoundOrganization]:
    """Read the organization, write the org.yaml that describes it (only if it validates)."""
    settings = _settings(options, ctx)
    connection = connect_project(ctx.project_dir, settings.region, sandbox=ctx.sandbox)
    caller = connection.caller()
    settings = ImportSettings(
        settings.name, settings.region, settings.access_role, caller.arn, settings.state
    )
    inventory = read_inventory(connection, settings.access_role)
    found = discover(inventory, settings)
    text = org_yaml_text(found, connection.label)
    try:
        org = load_organization_text(text, ctx.config_path)
    except ConfigError as exc:
        raise OrgtfError(
            f"the org.yaml made from {connection.label} does not validate, so nothing was "
            f"written; please report this:\n{exc.message}"
        ) from exc
    write_atomic(ctx.config_path, text)
    return org, connection.label, found


def _settings(options: ImportOptions, ctx: Context) -> ImportSettings:
    """Flags first, then the org.yaml being replaced, then orgtf's defaults."""
    old: Organization | None = None
    if ctx.config_path.exists():
        try:
            old = load_organization(ctx.config_path)
        except OrgtfError:
            old = None
    current = old.config.organization if old is not None else None
    return ImportSettings(
        name=options.name or (current.name if current else _org_name(ctx.project_dir.name)),
        region=options.region or (current.region if current else "us-east-1"),
        access_role=options.access_role
        or (current.access_role if current else "OrganizationAccountAccessRole"),
        caller="",
        state=current.state.model_dump() if current else {"backend": "local"},
    )


def _org_name(directory: str) -> str:
    """organization.name from the project directory's name: lower case, a-z0-9 and -."""
    name = re.sub(r"[^a-z0-9]+", "-", directory.lower()).strip("-")[:63].rstrip("-")
    return name if name[:1].isalpha() else f"org-{name}".rstrip("-")[:63]


COMMANDS = (
    Command(
        "import",
        "describe the organization as it is in AWS in org.yaml and bring it into Terraform's "
        "state, changing nothing in AWS",
        _configure,
        ImportOptions.from_args,
        import_handler,
    ),
)
