"""``orgtf completion SHELL``: a shell completion script for every command and option."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, get_args

import shtab

from orgtf.commands.base import Command, Context
from orgtf.errors import ExitCode

Shell = Literal["bash", "zsh", "tcsh"]
PATH_OPTIONS = ("--config", "--output", "--plan-dir", "--out", "--base", "--write")


@dataclass(frozen=True)
class CompletionOptions:
    """``completion SHELL``."""

    shell: Shell

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> CompletionOptions:
        return cls(shell=args.shell)


def _configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("shell", choices=get_args(Shell), help="the shell to complete in")
    parser.epilog = (
        'bash: eval "$(orgtf completion bash)" in ~/.bashrc; zsh: orgtf completion zsh > '
        "a directory on $fpath as _orgtf; tcsh: eval `orgtf completion tcsh`"
    )


def _mark_paths(parser: argparse.ArgumentParser) -> None:
    """Let the shell complete file names for options that take a path, in every command."""
    for action in parser._actions:
        if any(option in PATH_OPTIONS for option in action.option_strings):
            action.complete = shtab.FILE  # type: ignore[attr-defined]
        if isinstance(action, argparse._SubParsersAction):
            for sub in set(action.choices.values()):
                _mark_paths(sub)


def completion_command(build_parser: Callable[[], argparse.ArgumentParser]) -> Command[Any]:
    """The command, given how to build the whole parser it completes."""

    def completion(options: CompletionOptions, ctx: Context) -> ExitCode:
        """Print the completion script of ``options.shell``."""
        del ctx
        parser = build_parser()
        _mark_paths(parser)
        sys.stdout.write(shtab.complete(parser, shell=options.shell))
        return ExitCode.OK

    return Command(
        "completion",
        "print a shell completion script (bash, zsh or tcsh)",
        _configure,
        CompletionOptions.from_args,
        completion,
    )
