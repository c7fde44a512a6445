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
from orgtf.errors import ExitCode, UsageError

OptionsT = TypeVar("OptionsT")
COMMAND_KEY = "orgtf_command"  # where the parser leaves the chosen (innermost) command


CONFIG_NAME = "org.yaml"


@dataclass(frozen=True)
class Context:
    """Global options, resolved once.

    ``explicit`` says the config path was given (``--config`` or ``$ORGTF_CONFIG``);
    otherwise it was found in the working directory or a parent (``searched``, in order).
    """

    config_path: Path
    sandbox: bool
    explicit: bool = True
    searched: tuple[Path, ...] = ()

    @property
    def project_dir(self) -> Path:
        """The directory holding org.yaml: rendered files and orgtf state live beside it."""
        return self.config_path.resolve().parent

    def load(self) -> Organization:
        """The validated organization: UsageError (exit 4) when there is no org.yaml,
        ConfigError (exit 3) when it is invalid."""
        if not self.config_path.exists():
            raise UsageError(self._missing())
        return load_organization(self.config_path)

    def load_iam(self, command: str) -> Organization:
        """``load``, refusing organizations whose access lives only in Identity Center:
        ``command`` reads IAM roles, which such an organization does not have."""
        org = self.load()
        if not org.iam_side:
            raise UsageError(
                f"{command} reads IAM roles, and organization {org.name!r} delivers access "
                "through IAM Identity Center (identity: identity_center) without them; see "
                "docs/identity-center.md"
            )
        return org

    def _missing(self) -> str:
        if self.explicit:
            return (
                f"{self.config_path}: no such file; pass --config PATH to an existing org.yaml, "
                f"or create one with `orgtf init --config {self.config_path}`"
            )
        where = self.searched[0] if self.searched else Path.cwd()
        return (
            f"no {CONFIG_NAME} in {where} or any directory above it (up to {where.anchor}); "
            "pass --config PATH, set ORGTF_CONFIG, or create one here with `orgtf init`"
        )


def find_config(start: Path) -> tuple[Path | None, tuple[Path, ...]]:
    """The org.yaml in ``start`` or its nearest parent that has one (as git finds its
    repository), and the directories searched. In ``start`` itself it is named relatively."""
    searched: list[Path] = []
    for directory in (start, *start.parents):
        searched.append(directory)
        if (directory / CONFIG_NAME).is_file():
            found = Path(CONFIG_NAME) if directory == start else directory / CONFIG_NAME
            return found, tuple(searched)
    return None, tuple(searched)


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
