"""Command-line parsing and the one place errors become messages and exit codes."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from orgtf import __version__
from orgtf.commands import COMMANDS, Context
from orgtf.errors import ExitCode, OrgtfError, UsageError


class _Parser(argparse.ArgumentParser):
    """argparse that raises UsageError (exit 4) instead of exiting with its own code 2."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message}\n{self.format_usage().rstrip()}")


def build_parser() -> argparse.ArgumentParser:
    """The full ``orgtf`` parser with every sub-command."""
    parser = _Parser(
        prog="orgtf",
        description="Manage the users and roles of a multi-account AWS organization "
        "with Terraform.",
    )
    parser.add_argument(
        "--config",
        type=Path,
        default=None,
        help="path to org.yaml (default: $ORGTF_CONFIG or ./org.yaml)",
    )
    parser.add_argument(
        "--sandbox",
        action="store_true",
        help="target the local AWS sandbox (also ORGTF_SANDBOX=1), starting it if needed",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    parser.add_argument("--version", action="version", version=f"orgtf {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for command in COMMANDS:
        command.register(sub)
    return parser


def _context(args: argparse.Namespace) -> Context:
    config = args.config or Path(os.environ.get("ORGTF_CONFIG") or "org.yaml")
    sandbox = bool(args.sandbox) or os.environ.get("ORGTF_SANDBOX", "") in ("1", "true", "yes")
    return Context(config_path=config, sandbox=sandbox)


def _terminate_as_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    """Run orgtf with ``argv`` (default: sys.argv[1:]) and return the exit code."""
    # Read from argv, not the parsed args: usage errors are raised while parsing them.
    debug = "--debug" in (sys.argv[1:] if argv is None else argv)
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminate_as_interrupt) if in_main_thread else None
    try:
        args = build_parser().parse_args(argv)
        return int(args.handler(args, _context(args)))
    except OrgtfError as exc:
        if debug:
            traceback.print_exc()
        print(exc.render(), file=sys.stderr)
        return int(exc.exit_code)
    except KeyboardInterrupt:
        print("orgtf: interrupted", file=sys.stderr)
        return int(ExitCode.INTERRUPTED)
    except BrokenPipeError:
        return int(ExitCode.FAILURE)
    finally:
        if in_main_thread:  # SIGTERM stops cleanly like Ctrl-C, only while orgtf runs
            signal.signal(signal.SIGTERM, previous or signal.SIG_DFL)
