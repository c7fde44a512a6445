"""What every command receives, and the one shape every command (and sub-action) has.

A command turns its parsed arguments into a frozen, typed options record once
(``Command.options``); its handler (``Command.run``) receives that record and the global
``Context`` and returns an ``ExitCode``. Sub-actions (``access diff``, ``sandbox up``) are
commands of their own, nested under their parent, and dispatched the same way.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from orgtf.config import Organization, load_organization
from orgtf.errors import ExitCode

OptionsT = TypeVar("OptionsT")
COMMAND_KEY = "orgtf_command"  # where the parser leaves the chosen (innermost) command


@dataclass(frozen=True)
class Context:
    """Global options, resolved once."""

    config_path: Path
    sandbox: bool

    @property
    def project_dir(self) -> Path:
        """The directory holding org.yaml: rendered files and orgtf state live beside it."""
        return self.config_path.resolve().parent

    def load(self) -> Organization:
        """The validated organization (raises ConfigError, exit 3)."""
        return load_organization(self.config_path)


@dataclass(frozen=True)
class NoOptions:
    """The options record of a command that takes none."""


def no_options(args: argparse.Namespace) -> NoOptions:
    """``Command.options`` for a command without options of its own."""
    del args
    return NoOptions()


def no_arguments(parser: argparse.ArgumentParser) -> None:
    """``Command.configure`` for a command without arguments of its own."""
    del parser


@dataclass(frozen=True)
class Command(Generic[OptionsT]):
    """A command: its name and help, its arguments, how they become options, its handler.

    With ``actions``, the command has sub-actions; ``action_required`` says whether one
    must be named (``sandbox``) or the command also runs alone (``access``).
    """

    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    options: Callable[[argparse.Namespace], OptionsT]
    run: Callable[[OptionsT, Context], ExitCode]
    actions: tuple[Command[Any], ...] = ()
    action_required: bool = False
    usage: str | None = None

    def register(
        self, sub: argparse._SubParsersAction[Any], parents: list[argparse.ArgumentParser]
    ) -> argparse.ArgumentParser:
        """Add this command's parser (and its actions') under ``sub``; return the parser."""
        parser: argparse.ArgumentParser = sub.add_parser(
            self.name, help=self.help, description=self.help, parents=parents, usage=self.usage
        )
        self.configure(parser)
        parser.set_defaults(**{COMMAND_KEY: self})
        if self.actions:
            # prog= keeps a custom usage of this command out of its actions' usage lines.
            actions = parser.add_subparsers(
                dest=f"{self.name}_action",
                metavar="ACTION",
                parser_class=type(parser),
                prog=parser.prog,
            )
            actions.required = self.action_required
            for action in self.actions:
                action.register(actions, parents)
        return parser

    def invoke(self, args: argparse.Namespace, ctx: Context) -> ExitCode:
        """Build the options record from ``args`` and run the handler with it."""
        return self.run(self.options(args), ctx)
