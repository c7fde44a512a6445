"""What every command receives, and the shape a command module exposes."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orgtf.config import Organization, load_organization

Handler = Callable[[argparse.Namespace, "Context"], int]


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
class Command:
    """A sub-command: its name, help, how to add its arguments, and its handler."""

    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    handler: Handler

    def register(self, sub: argparse._SubParsersAction[Any]) -> None:
        parser = sub.add_parser(self.name, help=self.help, description=self.help)
        self.configure(parser)
        parser.set_defaults(handler=self.handler)
