"""Command-line parsing, dispatch, and the one place errors become messages and exit codes."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from orgtf import __version__
from orgtf.commands import COMMANDS
from orgtf.commands.base import COMMAND_KEY, CONFIG_NAME, Command, Context, find_config
from orgtf.commands.completion import completion_command
from orgtf.errors import ExitCode, OrgtfError, UsageError
from orgtf.text import did_you_mean, terminal_lines

_TRUE = ("1", "true", "yes")


class _Parser(argparse.ArgumentParser):
    """argparse that raises UsageError (exit 4) instead of exiting with its own code 2."""

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        """Name an unknown command or action with the closest known one."""
        if isinstance(action, argparse._SubParsersAction) and value not in action.choices:
            what = "command" if action.metavar == "COMMAND" else "action"
            known = sorted(action.choices)
            hint = did_you_mean(value, known) or f" (choose from {', '.join(known)})"
            self.error(f"unknown {what} {value!r}{hint}")
        super()._check_value(action, value)

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message}\n{self.format_usage().rstrip()}")


def _global_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """The options every command takes, before or after its name.

    The top-level parser gives the defaults; the copies on each command have none
    (SUPPRESS), so an option not repeated after the command keeps its value from before it.
    """

    def default(value: object) -> object:
        return argparse.SUPPRESS if suppress else value

    parser.add_argument(
        "--config",
        type=Path,
        default=default(None),
        help="path to org.yaml (default: $ORGTF_CONFIG or ./org.yaml)",
    )
    parser.add_argument(
        "--sandbox",
        action="store_true",
        default=default(False),
        help="target the local AWS sandbox (also ORGTF_SANDBOX=1), starting it if needed",
    )
    parser.add_argument(
        "--debug", action="store_true", default=default(False), help="show tracebacks on errors"
    )


def build_parser() -> argparse.ArgumentParser:
    """The full ``orgtf`` parser with every command."""
    parser = _Parser(
        prog="orgtf",
        description="Manage the users and roles of a multi-account AWS organization "
        "with Terraform.",
    )
    _global_options(parser, suppress=False)
    parser.add_argument("--version", action="version", version=f"orgtf {__version__}")
    shared = _Parser(add_help=False)
    _global_options(shared, suppress=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for command in (*COMMANDS, completion_command(build_parser)):
        command.register(sub, [shared])
    return parser


def _context(args: argparse.Namespace, environ: os._Environ[str] | dict[str, str]) -> Context:
    sandbox = bool(args.sandbox) or environ.get("ORGTF_SANDBOX", "").lower() in _TRUE
    given = args.config or (Path(environ["ORGTF_CONFIG"]) if environ.get("ORGTF_CONFIG") else None)
    if given is not None:
        return Context(config_path=given, sandbox=sandbox)
    found, searched = find_config(Path.cwd())
    config = found or Path(CONFIG_NAME)
    return Context(config_path=config, sandbox=sandbox, explicit=False, searched=searched)


def _terminate_as_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


_STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


def main(argv: Sequence[str] | None = None) -> int:
    """Run orgtf with ``argv`` (default: sys.argv[1:]) and return the exit code."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    # Read from argv, not the parsed args: usage errors are raised while parsing them.
    debug = "--debug" in arguments
    in_main_thread = threading.current_thread() is threading.main_thread()
    # SIGTERM (a CI job cancelled) and SIGHUP (a closed terminal) stop cleanly like Ctrl-C,
    # only while orgtf runs: Terraform gets one signal, writes its state and releases locks.
    previous = (
        {sig: signal.signal(sig, _terminate_as_interrupt) for sig in _STOP_SIGNALS}
        if in_main_thread
        else {}
    )
    try:
        args = build_parser().parse_args(arguments)
        command: Command[Any] = getattr(args, COMMAND_KEY)
        return int(command.invoke(args, _context(args, os.environ)))
    except OrgtfError as exc:
        if debug:
            traceback.print_exc()
        print(terminal_lines(exc.render()), file=sys.stderr)
        return int(exc.exit_code)
    except KeyboardInterrupt:
        print(
            "orgtf: interrupted before any account finished; run the command again", file=sys.stderr
        )
        return int(ExitCode.INTERRUPTED)
    except BrokenPipeError:
        return int(ExitCode.FAILURE)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler or signal.SIG_DFL)
