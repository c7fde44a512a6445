"""``orgtf demo``: validate, render, plan and apply the example org.yaml on the local sandbox."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from orgtf.commands.base import Command, Context
from orgtf.demo import run_demo
from orgtf.errors import ExitCode


def configure(parser: argparse.ArgumentParser) -> None:
    """``demo`` takes no options of its own; it always targets the sandbox."""
    del parser


def demo_handler(args: argparse.Namespace, ctx: Context) -> int:
    """Run the demo on the sandbox of ctx.config_path (with or without --sandbox)."""
    del args
    org = ctx.load()
    run_demo(
        org,
        orgtf=_invocation(ctx.config_path),
        say=lambda text: print(text, flush=True),
        live_progress=sys.stderr.isatty(),
    )
    return int(ExitCode.OK)


def _invocation(config_path: Path) -> str:
    """How to run orgtf on this org.yaml again, for the hints the demo prints."""
    if config_path == Path("org.yaml"):
        return "orgtf"
    return f"orgtf --config {shlex.quote(str(config_path))}"


COMMANDS = (
    Command(
        "demo",
        "try orgtf without AWS: validate, render, plan and apply org.yaml on the local "
        "sandbox, then show the role catalog and one user's profiles",
        configure,
        demo_handler,
    ),
)
