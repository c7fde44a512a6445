"""``orgtf catalog``: every role, who may assume it and how, from the deployed state."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from orgtf.catalog import build_catalog
from orgtf.catalog_format import FORMATS, format_catalog
from orgtf.catalog_state import read_account_states
from orgtf.commands.base import Command, Context
from orgtf.errors import ExitCode, OrgtfError
from orgtf.workspace import select_target


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
        "--parallelism", type=_positive, default=None, metavar="N", help="accounts read at once"
    )


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return int(text)


def catalog_handler(args: argparse.Namespace, ctx: Context) -> int:
    """Print or write the catalog; warnings name the accounts whose state was not used."""
    org = ctx.load()
    states = read_account_states(org, select_target(org, ctx.sandbox, os.environ), args.parallelism)
    catalog = build_catalog(org, states, generated_at=datetime.now(UTC))
    for warning in catalog.warnings:
        print(f"orgtf: warning: {warning}", file=sys.stderr)
    if catalog.differences:
        print(
            f"orgtf: {len(catalog.differences)} difference(s) between org.yaml and the deployed "
            "state (listed in the catalog); `orgtf plan` shows what reconciles them",
            file=sys.stderr,
        )
    _emit(format_catalog(catalog, args.format), args.output)
    if args.strict and not catalog.complete:
        print("orgtf: the catalog is incomplete (--strict)", file=sys.stderr)
        return int(ExitCode.FAILURE)
    return int(ExitCode.OK)


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise OrgtfError(f"cannot write the catalog to {output}: {exc.strerror or exc}") from exc
    print(f"wrote the catalog to {output}", file=sys.stderr)


COMMANDS = (
    Command(
        "catalog",
        "every role, who may assume it and how (console link, profile), from the deployed "
        "state, cross-checked against org.yaml",
        configure,
        catalog_handler,
    ),
)
