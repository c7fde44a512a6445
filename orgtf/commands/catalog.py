"""``orgtf catalog``: every role, who may assume it and how, from the deployed state."""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from orgtf.catalog.build import build_catalog
from orgtf.catalog.format import FORMATS, CatalogFormat, format_catalog
from orgtf.catalog.state import read_account_states
from orgtf.commands.base import Command, Context
from orgtf.commands.common import positive_int, write_output
from orgtf.errors import ExitCode
from orgtf.run.targets import select_target


def configure(parser: argparse.ArgumentParser) -> None:
    """``catalog [--format F] [--output FILE] [--strict] [--parallelism N]``."""
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="json",
        help="json (default), yaml, markdown (a page for a wiki), or text (a short summary)",
    )
    parser.add_argument(
        "--output", type=Path, default=None, metavar="FILE", help="write the catalog to FILE"
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="exit 1 unless every account's state was read and every role of org.yaml is "
        "deployed as configured",
    )
    parser.add_argument(
        "--parallelism", type=positive_int, default=None, metavar="N", help="accounts read at once"
    )


@dataclass(frozen=True)
class CatalogOptions:
    """``catalog [--format F] [--output FILE] [--strict] [--parallelism N]``."""

    format: CatalogFormat
    output: Path | None
    strict: bool
    parallelism: int | None

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> CatalogOptions:
        return cls(
            format=args.format,
            output=args.output,
            strict=args.strict,
            parallelism=args.parallelism,
        )


def catalog_handler(options: CatalogOptions, ctx: Context) -> ExitCode:
    """Print or write the catalog; warnings name the accounts whose state was not used."""
    org = ctx.load_iam("orgtf catalog")
    target = select_target(org, ctx.sandbox, os.environ)
    states = read_account_states(org, target, options.parallelism)
    catalog = build_catalog(org, states, generated_at=datetime.now(UTC))
    for warning in catalog.warnings:
        print(f"orgtf: warning: {warning}", file=sys.stderr)
    if catalog.differences:
        print(
            f"orgtf: {len(catalog.differences)} difference(s) between org.yaml and the deployed "
            "state (listed in the catalog); `orgtf plan` shows what reconciles them",
            file=sys.stderr,
        )
    write_output(format_catalog(catalog, options.format), options.output, "the catalog")
    if options.output is not None:
        print(f"wrote the catalog to {options.output}", file=sys.stderr)
    if options.strict and not catalog.complete:
        print("orgtf: the catalog is incomplete (--strict)", file=sys.stderr)
        return ExitCode.FAILURE
    return ExitCode.OK


COMMANDS = (
    Command(
        "catalog",
        "every role, who may assume it and how (console link, profile), from the deployed "
        "state, cross-checked against org.yaml",
        configure,
        CatalogOptions.from_args,
        catalog_handler,
    ),
)
